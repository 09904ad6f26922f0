import { connect } from "node:net";

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: any;
  text: string;
}

/** Parses one HTTP/1.1 response as read off the socket (the collector always sends Content-Length). */
export function parseRaw(text: string): RawAnswer {
  const split = text.indexOf("\r\n\r\n");
  const head = split === -1 ? text : text.slice(0, split);
  const rest = split === -1 ? "" : text.slice(split + 4);
  const [statusLine, ...lines] = head.split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine ?? "")?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] ?? rest.length);
  const bodyText = rest.slice(0, length);
  let body: unknown = bodyText;
  try {
    body = JSON.parse(bodyText);
  } catch {
    /* keep the text */
  }
  return { status, headers, body, text };
}

/**
 * Writes `chunks` on a fresh socket (a number in the list is a pause in ms), then reads
 * until the collector closes it. Rejects when the socket is still open after `guardMs`.
 */
export function rawExchange(port: number, chunks: Array<string | Buffer | number>, guardMs = 5000): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const received: Buffer[] = [];
    const guard = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(
          `the collector left the socket open for ${guardMs} ms; got ${JSON.stringify(Buffer.concat(received).toString().slice(0, 200))}`,
        ),
      );
    }, guardMs);
    socket.on("data", (chunk) => received.push(chunk));
    socket.on("error", () => {
      /* a reset after the answer: the close handler reports what arrived */
    });
    socket.on("close", () => {
      clearTimeout(guard);
      resolve(parseRaw(Buffer.concat(received).toString("utf8")));
    });
    socket.once("connect", async () => {
      for (const chunk of chunks) {
        if (socket.destroyed) return;
        if (typeof chunk === "number") await new Promise((done) => setTimeout(done, chunk));
        else socket.write(chunk);
      }
    });
  });
}

/** One request as raw bytes: `Connection: close` so the answer ends the exchange; a `null` header is left out. */
export function rawRequest(
  method: string,
  target: string,
  headers: Record<string, string | null> = {},
  body = "",
  version = "1.1",
): string {
  const all: Record<string, string | null> = { Host: "127.0.0.1", Connection: "close", ...headers };
  if (body !== "" && all["Content-Length"] === undefined) all["Content-Length"] = String(Buffer.byteLength(body));
  const lines = Object.entries(all)
    .filter(([, value]) => value !== null)
    .map(([name, value]) => `${name}: ${value}\r\n`);
  return `${method} ${target} HTTP/${version}\r\n${lines.join("")}\r\n${body}`;
}
