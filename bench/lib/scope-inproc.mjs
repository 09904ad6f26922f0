// The request scope's cost without sockets or a load generator: one Express 5 app per
// mode driven in-process with real IncomingMessage / ServerResponse objects on a
// discarding socket, so a loaded machine moves the figures less (only this process's CPU
// time counts). A control for scope.mjs, not a replacement:
//   node lib/scope-inproc.mjs [--n=20000] [--rounds=5]
// Modes: bare; r1 = round 1's middleware as shipped (THREADLINE_BENCH_R1_DIST: a build of
// round 1; without it, this build with `scope: false`); noscope = this build with
// `scope: false`; scope = this build as shipped.
import { IncomingMessage, ServerResponse } from "node:http";
import { Writable } from "node:stream";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import express from "express";
import { RETURNING_AID, RETURNING_COOKIE } from "./returning-visitor.mjs";

const args = process.argv.slice(2);
const opt = (name, dflt) => Number(args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
const N = opt("n", 20000);
const ROUNDS = opt("rounds", 5);
const dist =
  process.env.THREADLINE_BENCH_DIST ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist");
const { threadline } = await import(pathToFileURL(path.join(dist, "express.js")).href);
const r1Dist = process.env.THREADLINE_BENCH_R1_DIST;
const r1 = r1Dist
  ? (await import(pathToFileURL(path.join(r1Dist, "express.js")).href)).threadline
  : (o) => threadline({ ...o, scope: false });
const nothing = () => undefined;
const analytics = { identify: nothing, track: nothing, page: nothing, screen: nothing, group: nothing, alias: nothing };
const payload = {
  ok: true,
  items: [
    { id: 1, name: "Lamp" },
    { id: 2, name: "Shade" },
  ],
};
const query = (value) => new Promise((resolve) => setImmediate(() => resolve(value)));

function makeApp(mode) {
  const app = express();
  app.set("etag", false);
  if (mode === "r1") app.use(r1({ analytics }));
  else if (mode !== "bare") app.use(threadline({ analytics, scope: mode === "scope" }));
  app.get("/api/items", (_req, res) => res.json(payload));
  app.get("/api/await", async (_req, res) => {
    const a = await Promise.resolve(1);
    const b = await query(a + 1);
    const c = await Promise.resolve(b).then((v) => v + 1);
    res.json({ ...payload, sum: a + b + c });
  });
  return app;
}

class Sink extends Writable {
  _write(_chunk, _encoding, done) {
    done();
  }
  _writev(_chunks, done) {
    done();
  }
}

/** One request through `app`, resolved with its response when that has finished. */
function request(app, url, cookie) {
  return new Promise((resolve) => {
    const socket = new Sink();
    socket.remoteAddress = "127.0.0.1";
    socket.encrypted = false;
    const req = new IncomingMessage(socket);
    req.method = "GET";
    req.url = url;
    req.headers = cookie
      ? { host: "127.0.0.1:3000", "user-agent": "bench", cookie }
      : { host: "127.0.0.1:3000", "user-agent": "bench" };
    req.complete = true;
    req.push(null);
    const res = new ServerResponse(req);
    res.assignSocket(socket);
    res.on("finish", () => resolve(res));
    app(req, res);
  });
}

async function run(app, url, cookie, n) {
  const before = process.cpuUsage();
  // 10 in flight, as the load generator's 10 connections.
  let next = 0;
  const worker = async () => {
    while (next++ < n) await request(app, url, cookie);
  };
  await Promise.all(Array.from({ length: 10 }, worker));
  const used = process.cpuUsage(before);
  return (used.user + used.system) / n;
}

const MODES = ["bare", "r1", "noscope", "scope"];
const apps = Object.fromEntries(MODES.map((m) => [m, makeApp(m)]));
// A returning visitor sends back both cookies of an earlier visit: `aid`, and the session
// cookie the middleware wrote for it (sessions are on by default). Without the latter every
// request would start a session and write a cookie, which is a first visit's cost. Fetched
// again each round: the middleware rewrites a session cookie older than a tenth of its timeout.
async function returningCookie() {
  const written = [(await request(apps.scope, "/api/items", `aid=${RETURNING_AID}`)).getHeader("set-cookie")].flat();
  const session = written.find((line) => String(line).startsWith("aid_session="))?.split(";")[0];
  if (session === undefined) throw new Error(`no session cookie written for a known aid: ${JSON.stringify(written)}`);
  const cookie = `${RETURNING_COOKIE}; ${session}`;
  for (const mode of MODES.filter((m) => m !== "bare")) {
    const lines = (await request(apps[mode], "/api/items", cookie)).getHeader("set-cookie");
    if (lines !== undefined) throw new Error(`${mode}: the returning visitor got Set-Cookie ${JSON.stringify(lines)}`);
  }
  return cookie;
}
const CASES = [
  ["sync", "/api/items", "returning"],
  ["sync", "/api/items", "first"],
  ["await", "/api/await", "returning"],
  ["await", "/api/await", "first"],
];
const cookieOf = (visitor, returning) => (visitor === "returning" ? returning : undefined);
const results = {};
const warmCookie = await returningCookie();
for (const mode of MODES)
  for (const [, url, visitor] of CASES) await run(apps[mode], url, cookieOf(visitor, warmCookie), 2000); // warm-up
for (let round = 0; round < ROUNDS; round++) {
  const returning = await returningCookie();
  for (const [route, url, visitor] of CASES) {
    for (const mode of round % 2 ? MODES.slice().reverse() : MODES) {
      (results[`${route} ${visitor} ${mode}`] ??= []).push(await run(apps[mode], url, cookieOf(visitor, returning), N));
    }
  }
}
const median = (v) => v.slice().sort((a, b) => a - b)[v.length >> 1];
console.log(
  `Node ${process.version}, in-process, ${N} requests x ${ROUNDS} rounds; CPU µs per request (median), vs bare`,
);
for (const [route, , visitor] of CASES) {
  const bare = median(results[`${route} ${visitor} bare`]);
  const cells = MODES.map((mode) => {
    const v = median(results[`${route} ${visitor} ${mode}`]);
    return `${mode} ${v.toFixed(2)}${mode === "bare" ? "" : ` (${((v / bare - 1) * 100).toFixed(1)}%)`}`;
  });
  console.log(`${route.padEnd(5)} ${visitor.padEnd(9)} ${cells.join("   ")}`);
}
