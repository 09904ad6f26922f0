#!/usr/bin/env node
// What sessions cost the middleware: the Express app of the middleware benchmark with
// the middleware, sessions on (the default) vs `session: false`, for a returning visitor
// (valid aid and a live session cookie: no Set-Cookie) and a first visit (new id, aid +
// session cookie written). App CPU per request, medians of alternating rounds.
//   node sessions.mjs [--seconds=S] [--rounds=R]
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, httpJson } from "./lib/procs.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const opt = (name, fallback) => {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  return arg === undefined ? fallback : Number(arg.split("=")[1]);
};
const SECONDS = opt("seconds", 3);
const ROUNDS = opt("rounds", 3);
const CONNECTIONS = 10;
const AID = "3f1c2b9e-8d7a-4c6b-9a5e-1f2d3c4b5a69";
const MODES = ["bare", "mwnosession", "mw"];
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function load(url, headers) {
  const autocannon = (await import("autocannon")).default;
  const result = await autocannon({ url, connections: CONNECTIONS, duration: SECONDS, headers });
  return { total: result.requests.total, rps: result.requests.total / SECONDS, bad: result.non2xx + result.errors };
}

/** The session cookie the middleware writes for AID right now (so the returning case writes nothing). */
async function liveSessionCookie(url) {
  const { default: http } = await import("node:http");
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { cookie: `aid=${AID}` }, agent: false }, (res) => {
        res.resume();
        const line = (res.headers["set-cookie"] ?? []).find((l) => l.startsWith("aid_session="));
        resolve(line === undefined ? undefined : line.split(";")[0]);
      })
      .on("error", reject);
  });
}

const sink = await startServer(path.join(here, "lib/sink.mjs"));
const samples = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of round % 2 ? [...MODES].reverse() : MODES) {
      await httpJson("POST", `${sink.url}/__reset`);
      const app = await startServer(path.join(here, "lib/app.mjs"), [mode, sink.url]);
      try {
        const url = `${app.url}/api/items`;
        // Every mode gets the same Cookie header size for the returning visitor.
        const session = (mode === "mw" ? await liveSessionCookie(url) : undefined) ?? `aid_session=${AID}.1.0.0..x`;
        const cases = { returning: { cookie: `aid=${AID}; ${session}; theme=dark` }, first: {} };
        for (const [name, headers] of Object.entries(cases)) {
          await load(url, headers); // warm-up
          const u0 = await app.usage();
          const r = await load(url, headers);
          const u1 = await app.usage();
          const cpuUs = u1.cpu.user - u0.cpu.user + (u1.cpu.system - u0.cpu.system);
          (samples[`${mode}/${name}`] ??= []).push({ cpu: cpuUs / r.total, rps: r.rps, bad: r.bad });
          console.log(
            `round ${round + 1} ${mode.padEnd(12)} ${name.padEnd(9)} ${r.rps.toFixed(0)} req/s, app CPU ${(cpuUs / r.total).toFixed(1)} µs/req${r.bad ? `, ${r.bad} errors` : ""}`,
          );
        }
      } finally {
        await app.stop();
      }
    }
  }
} finally {
  await sink.stop();
}
console.log(`\nmedians of ${ROUNDS} rounds x ${SECONDS} s, ${CONNECTIONS} connections, Node ${process.version}:`);
console.log("| mode | visitor | req/s | app CPU µs/req | vs bare (CPU) |");
console.log("| --- | --- | --- | --- | --- |");
for (const name of ["returning", "first"]) {
  const bare = median(samples[`bare/${name}`].map((s) => s.cpu));
  for (const mode of MODES) {
    const list = samples[`${mode}/${name}`];
    const cpu = median(list.map((s) => s.cpu));
    console.log(
      `| ${mode} | ${name} | ${median(list.map((s) => s.rps)).toFixed(0)} | ${cpu.toFixed(1)} | ${((cpu / bare - 1) * 100).toFixed(1)}% |`,
    );
  }
}
