// The Express 5 app of the request-scope benchmark, in its own process:
//   node lib/scope-app.mjs <mode>[@/path/to/dist]
// mode: "bare"     the routes, nothing else
//       "r1"       + round 1's middleware as shipped (THREADLINE_BENCH_R1_DIST: a build of
//                  round 1; without it, this build with `scope: false`)
//       "noscope"  + this build's middleware with `scope: false`
//       "scope"    + this build's middleware as shipped (request scope on)
//       "nosession" + the scope, with `session: false`
//       "empty"    + an empty middleware (what any Express middleware costs: one more layer)
//       "cookies"  + a middleware that only writes a first visit's two `Set-Cookie` lines (fresh
//                  ids, same shape and size as ours): the floor under any first visit
//       "als"      + a middleware that only runs the rest of the request in an AsyncLocalStorage
//                  scope: the floor under any request scope
//       "alscookies" both: the floor under a first visit with the scope on
// Routes: GET /api/items (a small JSON answer) and GET /api/await (the same after a few
// awaited promises and a macrotask, as a route that queries a database). No tracking
// call: this measures what the middleware and its scope cost a request.
// Listens on 127.0.0.1 port 0, sends `{ port }` over IPC, answers "usage" with its CPU
// time, and exits when the parent goes away (or after MAX_LIFETIME_MS).
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import express from "express";

const MAX_LIFETIME_MS = 10 * 60 * 1000;
// `mode@/path/to/dist`: the same mode on another build (two builds compared in one run).
const [modeArg = ""] = process.argv.slice(2);
const at = modeArg.indexOf("@");
const mode = at === -1 ? modeArg : modeArg.slice(0, at);
const dist =
  (at === -1 ? undefined : path.resolve(modeArg.slice(at + 1))) ??
  process.env.THREADLINE_BENCH_DIST ??
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist");

// A client that drops everything: no call is made, but the middleware must not load or
// warm up the real client either.
const nothing = () => undefined;
const analytics = { identify: nothing, track: nothing, page: nothing, screen: nothing, group: nothing, alias: nothing };

const app = express();
if (mode === "r1" && process.env.THREADLINE_BENCH_R1_DIST) {
  const { threadline } = await import(
    pathToFileURL(path.join(process.env.THREADLINE_BENCH_R1_DIST, "express.js")).href
  );
  app.use(threadline({ analytics }));
} else if (mode === "r1" || mode === "noscope" || mode === "scope" || mode === "nosession") {
  const { threadline } = await import(pathToFileURL(path.join(dist, "express.js")).href);
  app.use(threadline({ analytics, scope: mode !== "r1" && mode !== "noscope", session: mode !== "nosession" }));
} else if (mode === "empty") {
  app.use((_req, _res, next) => next());
} else if (mode === "cookies" || mode === "als" || mode === "alscookies") {
  const { randomUUID } = await import("node:crypto");
  const { AsyncLocalStorage } = await import("node:async_hooks");
  const attributes = "; Max-Age=31536000; Path=/; SameSite=Lax";
  const storage = new AsyncLocalStorage();
  const cookies = mode !== "als";
  const scoped = mode !== "cookies";
  app.use((req, res, next) => {
    if (cookies) {
      const now = Date.now();
      res.setHeader("Set-Cookie", [
        `aid=${randomUUID()}${attributes}`,
        `aid_session=${randomUUID()}.1.${now}.${now}..1hwq6fr${attributes}`,
      ]);
    }
    if (scoped) storage.run({ req }, next);
    else next();
  });
} else if (mode !== "bare") {
  throw new Error(`unknown mode ${mode}`);
}

const payload = {
  ok: true,
  items: [
    { id: 1, name: "Lamp" },
    { id: 2, name: "Shade" },
  ],
};
const query = (value) => new Promise((resolve) => setImmediate(() => resolve(value)));

app.get("/api/items", (_req, res) => {
  res.json(payload);
});
app.get("/api/await", async (_req, res) => {
  const a = await Promise.resolve(1);
  const b = await query(a + 1);
  const c = await Promise.resolve(b).then((v) => v + 1);
  const d = await (async () => c + (await Promise.resolve(1)))();
  res.json({ ...payload, sum: a + b + c + d });
});

const server = app.listen({ port: 0, host: "127.0.0.1" }, () => {
  const { port } = server.address();
  process.send?.({ port });
});
server.keepAliveTimeout = 30_000;

const stop = () => process.exit(0);
process.on("message", (msg) => {
  if (msg === "usage") process.send?.({ type: "usage", cpu: process.cpuUsage() });
});
process.on("disconnect", stop);
process.on("SIGTERM", stop);
setTimeout(stop, MAX_LIFETIME_MS).unref();
