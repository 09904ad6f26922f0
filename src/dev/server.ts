import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { injectFault } from "./faults.js";
import { HttpError, sendError } from "./http.js";
import { handleIngest } from "./ingest.js";
import { handleInspect } from "./inspect.js";
import { formatEventLine } from "./log-line.js";
import { resolveCollectorOptions, type Collector, type CollectorOptions } from "./options.js";
import { servePage } from "./page/serve.js";
import { EventStore } from "./store.js";
import type { StoredMessage } from "./validate.js";

const HOST = "127.0.0.1";

// Browser SDKs (analytics.js) post from the app's own origin, so /v1 and /dev answer any origin.
const CORS_HEADERS = {
  "Access-Control-Allow-Origin": "*",
  "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
  "Access-Control-Allow-Headers": "Content-Type, Content-Encoding, Authorization",
  "Access-Control-Max-Age": "600",
};

/**
 * Starts the local collector on 127.0.0.1. Resolves once it listens, after the data file
 * has been reloaded; rejects when the options are bad or the port is taken.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const config = resolveCollectorOptions(options);
  const store = new EventStore(config.dataFile);
  store.load();
  if (store.skippedLines > 0 && !config.quiet) {
    process.stderr.write(`threadline dev: skipped ${store.skippedLines} unreadable line(s) of ${store.file}\n`);
  }
  const onAccepted = (messages: StoredMessage[]): void => {
    if (config.quiet) return;
    for (const message of messages) config.log(formatEventLine(message));
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", `http://${HOST}`);
    const path = url.pathname;
    if (path.startsWith("/v1/") || path.startsWith("/dev/")) {
      for (const [name, value] of Object.entries(CORS_HEADERS)) res.setHeader(name, value);
      if (req.method === "OPTIONS") {
        res.writeHead(204).end();
        return;
      }
    }
    if (path.startsWith("/v1/")) {
      if (await injectFault(req, res, config.faults)) return;
      return handleIngest(req, res, path, { store, writeKey: config.writeKey, onAccepted });
    }
    if (path.startsWith("/dev/")) return handleInspect(req, res, url, store);
    if (servePage(req, res, path)) return;
    throw new HttpError(404, "not_found", `No endpoint at ${path}.`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      const httpError =
        error instanceof HttpError ? error : new HttpError(500, "internal_error", `threadline dev: ${(error as Error)?.message ?? String(error)}`);
      sendError(res, httpError);
    });
  });
  // A client that disconnects mid-request must not take the collector down with it.
  server.on("clientError", (_error, socket) => socket.destroy());

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
