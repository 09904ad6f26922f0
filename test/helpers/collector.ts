import http from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export interface ReceivedRequest {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: { batch: Array<Record<string, unknown>>; sentAt: string };
  rawBytes: number;
  at: number;
}

/** What to do with one request: answer with a status (and headers), or hang, or cut the connection. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | "hang" | "destroy";

export interface TestCollector {
  url: string;
  port: number;
  requests: ReceivedRequest[];
  /** Every messageId of every accepted (2xx) request, in arrival order, duplicates included. */
  deliveredIds: string[];
  /** Decides each request's answer; the default accepts everything. */
  reply: (request: ReceivedRequest, index: number) => Reply;
  close(): Promise<void>;
}

/** A real HTTP collector on 127.0.0.1 (port 0) that records what threadline sends. */
export async function startTestCollector(reply?: TestCollector["reply"]): Promise<TestCollector> {
  const sockets = new Set<import("node:net").Socket>();
  const collector: TestCollector = {
    url: "",
    port: 0,
    requests: [],
    deliveredIds: [],
    reply: reply ?? (() => ({ status: 200 })),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let raw = Buffer.concat(chunks);
      const rawBytes = raw.length;
      if (req.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
      const request: ReceivedRequest = {
        path: req.url ?? "",
        headers: req.headers,
        body: JSON.parse(raw.toString("utf8")),
        rawBytes,
        at: Date.now(),
      };
      const index = collector.requests.push(request) - 1;
      const answer = collector.reply(request, index);
      if (answer === "hang") return;
      if (answer === "destroy") {
        req.socket.destroy();
        return;
      }
      if (answer.status >= 200 && answer.status < 300) {
        for (const message of request.body.batch) collector.deliveredIds.push(String(message.messageId));
      }
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end(answer.body ?? "{}");
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  collector.port = (server.address() as AddressInfo).port;
  collector.url = `http://127.0.0.1:${collector.port}`;
  return collector;
}

/** A loopback port with nothing listening on it (bound, then released). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Polls until `check` is true, failing after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
