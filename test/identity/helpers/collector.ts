import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export interface CollectedMessage {
  type: string;
  messageId: string;
  anonymousId?: string;
  userId?: string;
  event?: string;
  name?: string;
  previousId?: string;
  traits?: Record<string, unknown>;
  properties?: Record<string, unknown>;
  context: Record<string, unknown> & { page?: Record<string, string>; campaign?: Record<string, string> };
}

export interface LoopbackCollector {
  url: string;
  messages: CollectedMessage[];
  /** Authorization headers seen, to check the write key went along. */
  authorizations: string[];
  close(): Promise<void>;
}

/** A tiny collector on 127.0.0.1 that records the bodies POSTed to /v1/batch. */
export function startCollector(): Promise<LoopbackCollector> {
  const messages: CollectedMessage[] = [];
  const authorizations: string[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/v1/batch") return void res.writeHead(404).end();
      let body = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") body = gunzipSync(body);
      const { batch } = JSON.parse(body.toString("utf8")) as { batch: CollectedMessage[] };
      messages.push(...batch);
      authorizations.push(req.headers.authorization ?? "");
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        messages,
        authorizations,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
