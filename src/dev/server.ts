import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { injectFault } from "./faults.js";
import { checkHost, corsHeaders, parseTarget } from "./guard.js";
import { HttpError, sendError } from "./http.js";
import { checkWriteKey, handleIngest } from "./ingest.js";
import { handleInspect } from "./inspect.js";
import { formatEventLine } from "./log-line.js";
import { resolveCollectorOptions, type Collector, type CollectorOptions } from "./options.js";
import { servePage } from "./page/serve.js";
import { EventStore } from "./store.js";
import type { StoredMessage } from "./validate.js";

const HOST = "127.0.0.1";

/** Status and code for the requests node:http refuses before they reach the handler. */
function clientErrorAnswer(error: NodeJS.ErrnoException): HttpError {
  if (error.code === "ERR_HTTP_REQUEST_TIMEOUT")
    return new HttpError(408, "request_timeout", "The request took too long to arrive.");
  if (error.code === "HPE_HEADER_OVERFLOW")
    return new HttpError(431, "headers_too_large", "The request headers are too large.");
  return new HttpError(400, "bad_request", "The request is not valid HTTP/1.1.");
}

/** Answers on the raw socket, in the collector's JSON error shape, then closes it. */
function refuseOnSocket(socket: Socket, error: HttpError): void {
  const body = JSON.stringify({ error: { code: error.code, message: error.message } });
  socket.end(
    `HTTP/1.1 ${error.status} ${error.code}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`,
  );
}

/**
 * Starts the local collector on 127.0.0.1. Resolves once it listens, after the data file
 * has been reloaded; rejects when the options are bad or the port is taken.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const config = resolveCollectorOptions(options);
  const store = new EventStore(config.dataFile, config.maxRejected);
  store.load();
  if (store.skippedLines > 0 && !config.quiet) {
    process.stderr.write(`threadline dev: skipped ${store.skippedLines} unreadable line(s) of ${store.file}\n`);
  }
  const onAccepted = (messages: StoredMessage[]): void => {
    if (config.quiet) return;
    for (const message of messages) config.log(formatEventLine(message));
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = parseTarget(req.url);
    checkHost(req, config.allowHosts);
    const cors = corsHeaders(req, config.allowOrigins);
    const path = url.pathname;
    if (path.startsWith("/v1/") || path.startsWith("/dev/")) {
      for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
      // A preflight carries no credentials; the request it announces is checked in full.
      if (req.method === "OPTIONS") {
        res.writeHead(204).end();
        return;
      }
    }
    if (path.startsWith("/v1/")) {
      if (await injectFault(req, res, config.faults)) return;
      const { writeKey, bodyTimeoutMs } = config;
      return handleIngest(req, res, path, { store, writeKey, bodyTimeoutMs, onAccepted });
    }
    if (path.startsWith("/dev/")) {
      checkWriteKey(req, config.writeKey, false);
      return handleInspect(req, res, url, store);
    }
    if (servePage(req, res, path)) return;
    throw new HttpError(404, "not_found", `No endpoint at ${path}.`);
  }

  const server = createServer(
    {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      // node checks both deadlines on this interval (30 s by default); a tenth of the shorter
      // one keeps a deadline from running far over, at the cost of a timer tick.
      connectionsCheckingInterval: Math.max(25, Math.min(1000, Math.floor(config.headersTimeoutMs / 10))),
    },
    (req, res) => {
      route(req, res).catch((error: unknown) => {
        if (res.headersSent || res.destroyed) return;
        const httpError =
          error instanceof HttpError
            ? error
            : new HttpError(500, "internal_error", `threadline dev: ${(error as Error)?.message ?? String(error)}`);
        // Refused before its body was read: close rather than parse the rest as a next request.
        if (!req.readableEnded) res.setHeader("Connection", "close");
        sendError(res, httpError);
      });
    },
  );
  // What node:http cannot parse (or what arrives too slowly) still gets a JSON answer; a
  // client that disconnects mid-request must not take the collector down with it.
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Socket) => {
    const started =
      (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (error.code === "ECONNRESET" || !socket.writable || started) return void socket.destroy();
    refuseOnSocket(socket, clientErrorAnswer(error));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${HOST}:${port}`,
    port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The page's polling keeps sockets alive; close them rather than wait for their timeout.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
