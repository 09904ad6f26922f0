// A loopback collector for the transport tests: plain HTTP or HTTPS, counting the
// connections it accepts (the proof of keep-alive reuse) and answering each request as
// the test decides. 127.0.0.1, port 0; close() ends every socket.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { selfSignedCertificate } from "../identity/helpers/tls.js";

export interface SeenRequest {
  headers: http.IncomingHttpHeaders;
  batch: Array<Record<string, unknown>>;
  /** Which accepted connection carried it, from 1. */
  connection: number;
}

export type Answer = { status: number; headers?: Record<string, string> } | "hang" | "reset";

export interface Loopback {
  url: string;
  port: number;
  /** Connections accepted so far. */
  connections: number;
  requests: SeenRequest[];
  deliveredIds: string[];
  answer: (request: SeenRequest, index: number) => Answer;
  close(): Promise<void>;
}

export async function startLoopback(
  options: { tls?: { key: string; cert: string }; port?: number; answer?: Loopback["answer"] } = {},
): Promise<Loopback> {
  const sockets = new Set<Socket>();
  const numbers = new WeakMap<Socket, number>();
  const handle: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      let raw = Buffer.concat(chunks);
      if (req.headers["content-encoding"] === "gzip") raw = gunzipSync(raw);
      const seen: SeenRequest = {
        headers: req.headers,
        batch: JSON.parse(raw.toString("utf8")).batch,
        connection: numbers.get(req.socket) ?? 0,
      };
      const index = loopback.requests.push(seen) - 1;
      const answer = loopback.answer(seen, index);
      if (answer === "hang") return;
      if (answer === "reset") {
        req.socket.destroy();
        return;
      }
      if (answer.status >= 200 && answer.status < 300)
        for (const m of seen.batch) loopback.deliveredIds.push(String(m.messageId));
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
      res.end("{}");
    });
  };
  const server = options.tls ? https.createServer(options.tls, handle) : http.createServer(handle);
  const onSocket = (socket: Socket) => {
    sockets.add(socket);
    numbers.set(socket, ++loopback.connections);
    socket.on("close", () => sockets.delete(socket));
  };
  server.on(options.tls ? "secureConnection" : "connection", onSocket);
  const loopback: Loopback = {
    url: "",
    port: 0,
    connections: 0,
    requests: [],
    deliveredIds: [],
    answer: options.answer ?? (() => ({ status: 200 })),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", resolve);
  });
  loopback.port = (server.address() as AddressInfo).port;
  loopback.url = `${options.tls ? "https" : "http"}://127.0.0.1:${loopback.port}`;
  return loopback;
}

/**
 * A fresh self-signed certificate for 127.0.0.1 (the identity tests' openssl helper), with
 * the certificate also on disk: `certFile` is what NODE_EXTRA_CA_CERTS needs to trust it.
 */
export async function selfSignedCert(): Promise<{ key: string; cert: string; certFile: string; cleanup(): void }> {
  const { key, cert } = selfSignedCertificate(["127.0.0.1"]);
  const dir = mkdtempSync(join(tmpdir(), "threadline-tls-"));
  const certFile = join(dir, "cert.pem");
  writeFileSync(certFile, cert);
  return { key, cert, certFile, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
