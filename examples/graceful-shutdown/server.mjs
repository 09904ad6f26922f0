// An HTTP service that tracks every request and, on SIGTERM (what Kubernetes, ECS, systemd
// and `docker stop` send before killing), finishes what it has started, delivers the
// events still queued, and exits.
//
// `node examples/graceful-shutdown/server.mjs` after `npm run build`; PORT (default 3002),
// THREADLINE_HOST / THREADLINE_WRITE_KEY (default: the local collector, `npx threadline dev`).
import { createServer } from "node:http";
import { Analytics, newAnonymousId } from "threadline";

// Default batching (20 messages or 10 s): a quiet service usually has events waiting in
// the queue, which is exactly what an abrupt exit would lose.
const analytics = new Analytics();
let stopping = false;

const server = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost");
  // `?ms=` stands in for real work, so a request can be in flight when SIGTERM arrives.
  const workMs = Math.min(Number(url.searchParams.get("ms")) || 0, 5000);
  setTimeout(() => {
    const userId = req.headers["x-user-id"];
    analytics.track({
      // An authenticated caller has a userId; anyone else still needs an id of some kind.
      ...(typeof userId === "string" && userId ? { userId } : { anonymousId: newAnonymousId() }),
      event: "API Request",
      properties: { method: req.method, path: url.pathname, workMs },
    });
    // While shutting down, tell keep-alive clients to go: the socket then closes after
    // this answer instead of idling until the client's own timeout, which server.close() waits for.
    if (stopping) res.setHeader("connection", "close");
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ok: true }));
  }, workMs);
});

server.listen(Number(process.env.PORT ?? 3002), "127.0.0.1", () => {
  console.log(`graceful-shutdown example on http://127.0.0.1:${server.address().port}`);
});

async function shutdown(signal) {
  if (stopping) return;
  stopping = true;
  // 1. Stop accepting, and let requests in flight finish: they may still track. Idle
  //    keep-alive connections are closed at once; a request still running after 5 s is cut.
  const serverClosed = new Promise((resolve) => server.close(resolve));
  server.closeIdleConnections();
  // Logged once the listening socket is closed, so the line is true when read.
  console.log(`${signal}: no new connections; finishing requests in flight`);
  const cut = setTimeout(() => server.closeAllConnections(), 5000);
  await serverClosed;
  clearTimeout(cut);
  // 2. Deliver what is queued, waiting at most 5 s: keep the sum of both waits under the
  //    platform's grace period (Kubernetes: 30 s by default) or SIGKILL loses everything.
  const result = await analytics.close({ timeoutMs: 5000 });
  console.log(`analytics closed: ${result.delivered} delivered, ${result.failed} failed, ${result.dropped} dropped`);
  process.exit(0);
}
process.once("SIGTERM", () => void shutdown("SIGTERM"));
process.once("SIGINT", () => void shutdown("SIGINT"));
