// The middleware section of a bench run: an Express app per mode (lib/app.mjs) loaded by
// autocannon, returning and first visits, rounds alternating the order of the modes.
import path from "node:path";
import { median } from "./format.mjs";
import { httpJson, startServer } from "./procs.mjs";
import { liveSessionCookie, probeOnce, RETURNING_COOKIE } from "./returning-visitor.mjs";
import { here, makeLog } from "./settings.mjs";

export const RETURNING = { cookie: RETURNING_COOKIE };

export async function autocannonRun(url, headers, seconds, connections) {
  const autocannon = (await import("autocannon")).default;
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return {
    rps: result.requests.total / seconds,
    total: result.requests.total,
    latencyP50: result.latency.p50,
    latencyP99: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export function middlewareSkipReason(s) {
  if (s.haveExpress) return null;
  return !s.haveCore
    ? "dist/index.js is not built"
    : "dist/express.js does not exist (threadline/express has not landed or the root build is stale)";
}

/** One mode's app, measured for each kind of visit; samples and checks are filled in. */
async function measureMode(sink, s, mode, round, cases, samples, checks) {
  const log = makeLog(s);
  await httpJson("POST", `${sink.url}/__reset`);
  const app = await startServer(path.join(here, "lib/app.mjs"), [mode, sink.url]);
  try {
    const url = `${app.url}/api/items`;
    // A returning visitor also holds a live session cookie (sessions are on by default);
    // without it every request would open a session and write Set-Cookie, a first visit
    // in disguise. Taken from this app now, so it is fresh for the whole run.
    const session = cases.returning === undefined ? undefined : await liveSessionCookie(url, cases.returning.cookie);
    for (const [c, base] of Object.entries(cases)) {
      const headers = c === "returning" && session !== undefined ? { cookie: `${base.cookie}; ${session}` } : base;
      if (round === 0) {
        const p = await probeOnce(url, headers);
        checks[`${mode}/${c}`] = {
          status: p.status,
          setsAid: p.setCookie.some((x) => x.startsWith("aid=")),
          setsSession: p.setCookie.some((x) => x.startsWith("aid_session=")),
        };
      }
      await autocannonRun(url, headers, 1, s.MW_CONNECTIONS); // warm-up
      const u0 = await app.usage();
      const r = await autocannonRun(url, headers, s.MW_SECONDS, s.MW_CONNECTIONS);
      const u1 = await app.usage();
      const cpuUs = u1.cpu.user - u0.cpu.user + (u1.cpu.system - u0.cpu.system);
      r.cpuUsPerRequest = cpuUs / r.total;
      samples[`${mode}/${c}`].push(r);
      log(
        `middleware ${mode.padEnd(7)} ${c.padEnd(9)} round ${round + 1}/${s.MW_ROUNDS}: ${r.rps.toFixed(0)} req/s, ` +
          `app CPU ${r.cpuUsPerRequest.toFixed(1)} µs/req (p99 ${r.latencyP99} ms, non2xx ${r.non2xx}, errors ${r.errors})`,
      );
    }
  } finally {
    await app.stop();
  }
  if (mode === "mwtrack" || mode === "track") {
    const st = await httpJson("GET", `${sink.url}/__stats`);
    checks[`${mode}/delivered/round${round + 1}`] = st.events;
    checks[`${mode}/requests/round${round + 1}`] = st.requests;
  }
}

export async function middlewareSection(sink, s) {
  const log = makeLog(s);
  const skip = middlewareSkipReason(s);
  if (skip) {
    log(`middleware: SKIPPED: ${skip}`);
    return { skipped: skip };
  }
  const modes = ["bare", "noop", "mw", "track", "mwtrack"];
  const cases = { returning: RETURNING, first: {} };
  const samples = {};
  const checks = {};
  for (const m of modes) for (const c of Object.keys(cases)) samples[`${m}/${c}`] = [];
  for (let round = 0; round < s.MW_ROUNDS; round++) {
    const order = round % 2 ? [...modes].reverse() : modes;
    for (const mode of order) {
      if (Date.now() - s.started > s.BENCH_DEADLINE_MS) {
        log("time budget: middleware round cut short");
        break;
      }
      await measureMode(sink, s, mode, round, cases, samples, checks);
    }
  }
  const out = {};
  for (const [k, list] of Object.entries(samples)) {
    out[k] = {
      rps: median(list.map((x) => x.rps)),
      samples: list.map((x) => Math.round(x.rps)),
      cpuUsPerRequest: median(list.map((x) => x.cpuUsPerRequest)),
      cpuSamples: list.map((x) => Number(x.cpuUsPerRequest.toFixed(1))),
      p99: median(list.map((x) => x.latencyP99)),
      errors: list.reduce((a, x) => a + x.errors + x.non2xx, 0),
    };
  }
  return { results: out, checks, seconds: s.MW_SECONDS, rounds: s.MW_ROUNDS, connections: s.MW_CONNECTIONS };
}
