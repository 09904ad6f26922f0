#!/usr/bin/env node
// The middleware's own CPU per request, sessions on vs off, in one process: the Express
// middleware function called directly with a minimal request/response, alternating
// rounds. Less sensitive to a loaded machine than an HTTP run (no sockets, no load
// generator competing for the 2 cores), so it isolates what sessions add.
//   node sessions-micro.mjs [--n=N] [--rounds=R]
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist");
const { threadline } = await import(pathToFileURL(path.join(dist, "express.js")).href);
const { Analytics } = await import(pathToFileURL(path.join(dist, "index.js")).href);
const opt = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const N = opt("n", 100_000);
const ROUNDS = opt("rounds", 5);
const AID = "3f1c2b9e-8d7a-4c6b-9a5e-1f2d3c4b5a69";

const analytics = new Analytics({ host: "http://127.0.0.1:9", disable: true });
const on = threadline({ analytics });
const off = threadline({ analytics, session: false });

class Res {
  headersSent = false;
  headers = new Map();
  getHeader(name) {
    return this.headers.get(name);
  }
  setHeader(name, value) {
    this.headers.set(name, value);
  }
  removeHeader(name) {
    this.headers.delete(name);
  }
  writeHead() {}
}
// One prototype per app, as Express gives every request of an app the same one.
const protoOn = {};
const protoOff = {};
function request(proto, cookie) {
  const req = Object.create(proto);
  req.headers = cookie === undefined ? { host: "127.0.0.1" } : { host: "127.0.0.1", cookie };
  req.secure = false;
  req.hostname = "127.0.0.1";
  req.protocol = "http";
  req.originalUrl = "/api/items";
  req.ip = "127.0.0.1";
  req.res = new Res();
  return req;
}

// A live session cookie for AID, as the middleware itself writes it.
const probe = request(protoOn, `aid=${AID}`);
on(probe, probe.res, () => {});
const session = []
  .concat(probe.res.getHeader("set-cookie"))
  .find((l) => l.startsWith("aid_session="))
  .split(";")[0];
const cases = {
  returning: { on: `aid=${AID}; ${session}; theme=dark`, off: `aid=${AID}; ${session}; theme=dark` },
  first: { on: undefined, off: undefined },
};
const next = () => {};
function run(mw, proto, cookie) {
  const t0 = process.cpuUsage();
  for (let i = 0; i < N; i++) {
    const req = request(proto, cookie);
    mw(req, req.res, next);
  }
  const t = process.cpuUsage(t0);
  return (t.user + t.system) / N;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const out = {};
for (const [name, cookies] of Object.entries(cases)) {
  run(on, protoOn, cookies.on); // warm-up
  run(off, protoOff, cookies.off);
  const samples = { on: [], off: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const mode of r % 2 ? ["off", "on"] : ["on", "off"]) {
      samples[mode].push(run(mode === "on" ? on : off, mode === "on" ? protoOn : protoOff, cookies[mode]));
    }
  }
  out[name] = { on: median(samples.on), off: median(samples.off) };
}
console.log(`middleware CPU per request (µs), median of ${ROUNDS} alternating rounds x ${N}, Node ${process.version}:`);
console.log("| visitor | sessions off | sessions on | on − off |");
console.log("| --- | --- | --- | --- |");
for (const [name, { on: a, off: b }] of Object.entries(out))
  console.log(
    `| ${name} | ${b.toFixed(2)} | ${a.toFixed(2)} | +${(a - b).toFixed(2)} µs (${((a / b - 1) * 100).toFixed(0)}%) |`,
  );
