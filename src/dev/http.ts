import type { IncomingMessage, ServerResponse } from "node:http";
import { gunzip } from "node:zlib";
import { promisify } from "node:util";

const gunzipAsync = promisify(gunzip);

/** A request the collector refuses: becomes `{"error":{"code","message"}}` with `status`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(text),
    "Cache-Control": "no-store",
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, error: HttpError): void {
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, error.headers);
}

/** Reads the whole body and discards it, so a refused request leaves the keep-alive socket usable. */
export function drain(req: IncomingMessage): Promise<void> {
  return new Promise((resolve) => {
    if (req.readableEnded) return resolve();
    req.on("end", resolve);
    req.on("error", () => resolve());
    req.on("close", resolve);
    req.resume();
  });
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, "body_too_large", `The request body is over ${Math.round(maxBytes / 1024)} KB.`);
}

function bodyTimeout(idleMs: number): HttpError {
  // The rest of the body may still arrive: close the connection rather than parse it as a request.
  return new HttpError(
    408,
    "body_timeout",
    `The request body stalled for ${idleMs} ms; the collector stopped waiting.`,
    { Connection: "close" },
  );
}

/**
 * The body's bytes up to `maxBytes`, reading (and dropping) past the cap so the client gets
 * our answer rather than a reset. A body with no bytes for `idleMs` fails with 408: a
 * client that opens a request and trickles (or stops) would otherwise hold it open.
 */
function collect(req: IncomingMessage, maxBytes: number, idleMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let received = 0;
    let timer = setTimeout(onIdle, idleMs);
    function cleanup(): void {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onGone);
      req.off("close", onGone);
    }
    function onData(chunk: Buffer): void {
      clearTimeout(timer);
      timer = setTimeout(onIdle, idleMs);
      received += chunk.length;
      if (received <= maxBytes) chunks.push(chunk);
    }
    function onEnd(): void {
      cleanup();
      if (received > maxBytes) reject(tooLarge(maxBytes));
      else resolve(Buffer.concat(chunks));
    }
    function onGone(): void {
      cleanup();
      reject(new HttpError(400, "body_incomplete", "The connection ended before the request body did."));
    }
    function onIdle(): void {
      cleanup();
      req.pause();
      reject(bodyTimeout(idleMs));
    }
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onGone);
    req.on("close", onGone);
  });
}

/**
 * The request body as text, un-gzipped when `Content-Encoding: gzip`. The cap applies to
 * the bytes on the wire and again after decompression, so a small gzip cannot inflate
 * into a huge body.
 */
export async function readBody(req: IncomingMessage, maxBytes: number, idleMs: number): Promise<string> {
  const encoding = String(req.headers["content-encoding"] ?? "identity")
    .trim()
    .toLowerCase();
  if (encoding !== "gzip" && encoding !== "identity" && encoding !== "") {
    await drain(req);
    throw new HttpError(
      415,
      "unsupported_encoding",
      `Content-Encoding "${encoding}" is not supported; send plain or gzip.`,
    );
  }
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    await drain(req);
    throw tooLarge(maxBytes);
  }
  const raw = await collect(req, maxBytes, idleMs);
  if (encoding !== "gzip") return raw.toString("utf8");
  try {
    return (await gunzipAsync(raw, { maxOutputLength: maxBytes })).toString("utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE") throw tooLarge(maxBytes);
    throw new HttpError(400, "invalid_gzip", "The body says Content-Encoding: gzip but is not valid gzip.");
  }
}

/** The username of a Basic `Authorization` header (Segment puts the write key there), or undefined. */
export function basicAuthUser(header: string | undefined): string | undefined {
  const match = /^Basic\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon === -1 ? decoded : decoded.slice(0, colon);
}
