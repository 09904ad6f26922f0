// The Express app of the middleware benchmark, in its own process:
//   node lib/app.mjs <mode> <sinkUrl>
// mode: "bare"     a small JSON route, nothing else
//       "noop"     + an empty middleware (the cost of any app.use layer: a control)
//       "mw"       + threadline's Express middleware (no call)
//       "mwtrack"  + the middleware and one req.analytics.track(...) per request
//       "mwnosession" + the middleware with `session: false` (no call): what sessions cost
//       "track"    no middleware; one plain analytics.track(...) per request carrying the
//                  same data the middleware adds (anonymousId from the cookie, ip, userAgent,
//                  locale, page), built by hand: a control for what a bare client's call
//                  costs for the same event under the same load
// Listens on 127.0.0.1 port 0 and sends `{ port }` to its parent over IPC; exits when
// the parent goes away (or after MAX_LIFETIME_MS).
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import express from "express";
import { WRITE_KEY } from "./workload.mjs";

const MAX_LIFETIME_MS = 5 * 60 * 1000;
const [mode, sinkUrl] = process.argv.slice(2);
const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist");

const app = express();
let analytics;

if (mode === "noop") {
  app.use(function noop(_req, _res, next) {
    next();
  });
}

if (mode === "track") {
  const { Analytics } = await import(pathToFileURL(path.join(dist, "index.js")).href);
  analytics = new Analytics({ host: sinkUrl, writeKey: WRITE_KEY });
  analytics.on?.("error", () => {});
}

if (mode === "mw" || mode === "mwtrack" || mode === "mwnosession") {
  const { threadline } = await import(pathToFileURL(path.join(dist, "express.js")).href);
  const { Analytics } = await import(pathToFileURL(path.join(dist, "index.js")).href);
  analytics = new Analytics({ host: sinkUrl, writeKey: WRITE_KEY });
  analytics.on?.("error", () => {});
  app.use(threadline(mode === "mwnosession" ? { analytics, session: false } : { analytics }));
}

const payload = {
  ok: true,
  items: [
    { id: 1, name: "Lamp" },
    { id: 2, name: "Shade" },
  ],
};

if (mode === "mwtrack") {
  app.get("/api/items", (req, res) => {
    req.analytics.track({ event: "Items Listed", properties: { count: 2, page: 1 } });
    res.json(payload);
  });
} else if (mode === "track") {
  const fallbackId = "3f1c2b9e-8d7a-4c6b-9a5e-1f2d3c4b5a69";
  app.get("/api/items", (req, res) => {
    // What an app without the middleware writes to send the same event: the id from the
    // cookie and the request's context.
    const cookie = req.headers.cookie ?? "";
    const match = /(?:^|;\s*)aid=([^;]+)/.exec(cookie);
    const url = `${req.protocol}://${req.get("host")}${req.originalUrl}`;
    const search = req.originalUrl.includes("?") ? req.originalUrl.slice(req.originalUrl.indexOf("?")) : "";
    analytics.track({
      event: "Items Listed",
      anonymousId: match ? match[1] : fallbackId,
      properties: { count: 2, page: 1 },
      context: {
        ip: req.ip,
        userAgent: req.headers["user-agent"],
        locale: req.headers["accept-language"]?.split(",")[0],
        page: { url, path: req.path, search, referrer: req.headers.referer ?? "" },
      },
    });
    res.json(payload);
  });
} else {
  app.get("/api/items", (_req, res) => {
    res.json(payload);
  });
}

const server = app.listen({ port: 0, host: "127.0.0.1" }, () => {
  const { port } = server.address();
  if (process.send) process.send({ port });
  else console.log(JSON.stringify({ port }));
});
server.keepAliveTimeout = 30_000;

async function stop() {
  try {
    if (analytics) await analytics.close?.({ timeoutMs: 2000 });
  } finally {
    process.exit(0);
  }
}
// The harness asks for this process's CPU time before and after a load run: CPU per
// request is far steadier than req/s on a shared 2-core machine.
process.on("message", (msg) => {
  if (msg === "usage") process.send?.({ type: "usage", cpu: process.cpuUsage(), rss: process.memoryUsage().rss });
});
process.on("disconnect", stop);
process.on("SIGTERM", stop);
setTimeout(stop, MAX_LIFETIME_MS);
