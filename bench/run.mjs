#!/usr/bin/env node
// threadline's benchmark against its peers (issue 4). `npm run bench` in bench/.
//
//   node run.mjs                 full run: N = 100 000, 3 runs per SDK, middleware 3 rounds x 5 s
//   node run.mjs --quick         smoke run: N = 10 000, 1 run, middleware 1 round x 2 s
//   options: --n=N --runs=R --only=floor,threadline,... --no-middleware --no-sdk
//            --mw-seconds=S --mw-rounds=R --no-profile
//   A full run also CPU-profiles one threadline burst and the middleware app under load
//   (--profile forces it on a partial run).
//
// Every SDK run is a fresh child process (lib/child.mjs) against one sink process
// (lib/sink.mjs); the rounds are interleaved (floor, threadline, peers, floor, ...)
// so background load spreads over all rows alike, and each figure is the median.
// Writes RESULTS.md, results.svg and results.json beside this file.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startServer, runOnce, httpJson, stopChild } from "./lib/procs.mjs";
import { writeReport, printTable } from "./lib/report.mjs";
import { summarizeProfile, categorizeAppProfile } from "./lib/profile.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
// THREADLINE_BENCH_DIST only checks the harness's behaviour without a build.
const dist = process.env.THREADLINE_BENCH_DIST ?? path.join(root, "dist");

const args = process.argv.slice(2);
const flag = (name) => args.includes(`--${name}`);
const opt = (name, dflt) => {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : dflt;
};

const quick = flag("quick");
const N = Number(opt("n", quick ? 10_000 : 100_000));
const RUNS = Number(opt("runs", quick ? 1 : 3));
// The rows that take a second or two (floor, threadline) get more runs: their ratios
// are the tight targets.
const CHEAP_RUNS = Number(opt("cheap-runs", 5));
const RUN_DEADLINE_MS = Number(opt("deadline", quick ? 20_000 : 60_000));
const MW_SECONDS = Number(opt("mw-seconds", quick ? 2 : 5));
const MW_ROUNDS = Number(opt("mw-rounds", quick ? 1 : 3));
const MW_CONNECTIONS = 10;
const RUDDER_ATTEMPT_MS = quick ? 8_000 : 20_000;
const RUDDER_PROBES = quick ? [1000] : [1000, 2000];
const ONLY = opt("only", "") ? new Set(opt("only", "").split(",")) : null;
const BENCH_DEADLINE_MS = 9.5 * 60 * 1000;

const haveCore = fs.existsSync(path.join(dist, "index.js"));
const haveExpress = haveCore && fs.existsSync(path.join(dist, "express.js"));

const SDKS = [
  { id: "floor", label: "floor (stringify + keep-alive POST)", pkg: null },
  { id: "floor-node-fetch", label: "floor over node-fetch (diagnostic)", pkg: null },
  { id: "threadline", label: "threadline", pkg: "threadline (../dist)" },
  { id: "segment", label: "@segment/analytics-node", pkg: "@segment/analytics-node" },
  { id: "posthog", label: "posthog-node", pkg: "posthog-node" },
  { id: "snowplow", label: "@snowplow/node-tracker", pkg: "@snowplow/node-tracker" },
  { id: "rudder", label: "@rudderstack/rudder-sdk-node", pkg: "@rudderstack/rudder-sdk-node" },
].filter((s) => !ONLY || ONLY.has(s.id));

const started = Date.now();
const log = (...a) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(3)}s]`, ...a);
const median = (xs) => {
  const s = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

function pkgVersion(name) {
  try {
    const p = name === "threadline" ? path.join(root, "package.json") : path.join(here, "node_modules", name, "package.json");
    return JSON.parse(fs.readFileSync(p, "utf8")).version;
  } catch {
    return "?";
  }
}

async function loadConfigs() {
  const configs = {};
  for (const s of SDKS) {
    try {
      configs[s.id] = (await import(`./adapters/${s.id}.mjs`)).config;
    } catch {
      configs[s.id] = "?";
    }
  }
  return configs;
}

async function runSdk(sink, sdk, n, deadlineMs, execArgv = []) {
  await httpJson("POST", `${sink.url}/__reset`);
  const result = await runOnce(path.join(here, "lib/child.mjs"), [sdk, sink.url, String(n), String(deadlineMs)], {
    timeoutMs: deadlineMs + 10_000,
    execArgv,
  });
  const stats = await httpJson("GET", `${sink.url}/__stats`);
  result.requests = stats.requests;
  result.delivered = stats.uniqueIds || stats.events;
  result.eventsCounted = stats.events;
  result.wireBytes = stats.wireBytes;
  result.jsonBytes = stats.jsonBytes;
  result.gzip = stats.gzipRequests > 0;
  result.maxEventsPerRequest = stats.maxEventsPerRequest;
  result.badRequests = stats.badRequests;
  return result;
}

function summarize(runs, n) {
  const ok = runs.filter((r) => r.ok);
  const pick = (k) => median(ok.map((r) => r[k]));
  return {
    runs: runs.length,
    okRuns: ok.length,
    n,
    enqueueNsPerCall: pick("enqueueNsPerCall"),
    wallMs: pick("wallMs"),
    cpuMs: pick("cpuMs"),
    maxRssKiB: pick("maxRssKiB"),
    requests: pick("requests"),
    delivered: median(runs.map((r) => r.delivered)),
    wireBytes: pick("wireBytes"),
    gzip: ok.some((r) => r.gzip),
    maxEventsPerRequest: pick("maxEventsPerRequest"),
    failures: runs.filter((r) => !r.ok).map((r) => r.reason + (r.stderr ? ` | stderr: ${r.stderr}` : "")),
    raw: runs,
  };
}

async function sdkSection(sink) {
  const results = {};
  const sdks = SDKS.filter((s) => s.id !== "rudder");
  for (const s of sdks) results[s.id] = [];
  const skipped = {};
  if (!haveCore && results.threadline) {
    skipped.threadline = "dist/index.js not built (run `npm run build` at the repository root)";
    delete results.threadline;
  }
  const cheap = new Set(["floor", "floor-node-fetch", "threadline"]);
  const rounds = quick ? RUNS : Math.max(RUNS, CHEAP_RUNS);
  for (let round = 0; round < rounds; round++) {
    for (const s of sdks) {
      if (!results[s.id]) continue;
      if (round >= RUNS && !cheap.has(s.id)) continue;
      const prev = results[s.id];
      if (prev.length && !prev[prev.length - 1].ok) continue; // a run that failed is not repeated
      if (Date.now() - started > BENCH_DEADLINE_MS * 0.6) {
        log(`time budget: skipping ${s.id} round ${round + 1}`);
        continue;
      }
      const r = await runSdk(sink, s.id, N, RUN_DEADLINE_MS);
      prev.push(r);
      log(
        `${s.id.padEnd(10)} run ${round + 1}/${cheap.has(s.id) ? rounds : RUNS}: ` +
          (r.ok
            ? `enqueue ${(r.enqueueNsPerCall / 1000).toFixed(2)} us/call, wall ${r.wallMs.toFixed(0)} ms, cpu ${r.cpuMs.toFixed(0)} ms, rss ${(r.maxRssKiB / 1024).toFixed(0)} MiB, ${r.requests} req, ${r.delivered}/${N}`
            : `FAILED: ${r.reason}${r.stderr ? `\n${r.stderr}` : ""}`),
      );
    }
  }
  const out = {};
  for (const [id, runs] of Object.entries(results)) out[id] = summarize(runs, N);

  // RudderStack: its enqueue re-serializes the whole in-memory queue on every call
  // (quadratic in a burst), so N calls cannot finish in any sane time. One attempt at
  // N bounded by a deadline, then small probes that show the growth.
  let rudder = null;
  if (SDKS.some((s) => s.id === "rudder")) {
    const attempt = await runSdk(sink, "rudder", N, RUDDER_ATTEMPT_MS);
    log(`rudder     attempt at N=${N}: ${attempt.ok ? `wall ${attempt.wallMs.toFixed(0)} ms` : attempt.reason}`);
    const probes = [];
    for (const pn of RUDDER_PROBES) {
      const p = await runSdk(sink, "rudder", pn, 30_000);
      probes.push(p);
      log(
        `rudder     probe N=${pn}: ` +
          (p.ok
            ? `enqueue ${(p.enqueueNsPerCall / 1000).toFixed(0)} us/call, wall ${p.wallMs.toFixed(0)} ms, ${p.requests} req, ${p.delivered}/${pn}`
            : p.reason),
      );
    }
    rudder = { attempt, probes };
    if (attempt.ok) out.rudder = summarize([attempt], N);
  }
  return { sdk: out, skipped, rudder };
}

async function autocannonRun(url, headers, seconds) {
  const autocannon = (await import("autocannon")).default;
  const result = await autocannon({ url, connections: MW_CONNECTIONS, duration: seconds, headers });
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

/** The `aid_session=...` pair the app writes for a visitor with `cookie`, if it writes one. */
async function liveSessionCookie(url, cookie) {
  const probe = await probeOnce(url, { cookie });
  return probe.setCookie.find((line) => line.startsWith("aid_session="))?.split(";")[0];
}

function probeOnce(url, headers) {
  return new Promise((resolve, reject) => {
    import("node:http").then(({ default: http }) => {
      const req = http.get(url, { headers, agent: false }, (res) => {
        res.resume();
        res.on("end", () => resolve({ status: res.statusCode, setCookie: res.headers["set-cookie"] ?? [] }));
      });
      req.on("error", reject);
    });
  });
}

async function middlewareSection(sink) {
  if (!haveExpress) {
    const why = !haveCore
      ? "dist/index.js is not built"
      : "dist/express.js does not exist (threadline/express has not landed or the root build is stale)";
    log(`middleware: SKIPPED: ${why}`);
    return { skipped: why };
  }
  const modes = ["bare", "noop", "mw", "track", "mwtrack"];
  const cases = {
    returning: { cookie: "aid=3f1c2b9e-8d7a-4c6b-9a5e-1f2d3c4b5a69; theme=dark" },
    first: {},
  };
  const samples = {};
  const checks = {};
  for (const m of modes) for (const c of Object.keys(cases)) samples[`${m}/${c}`] = [];
  for (let round = 0; round < MW_ROUNDS; round++) {
    const order = round % 2 ? [...modes].reverse() : modes;
    for (const mode of order) {
      if (Date.now() - started > BENCH_DEADLINE_MS) {
        log("time budget: middleware round cut short");
        break;
      }
      await httpJson("POST", `${sink.url}/__reset`);
      const app = await startServer(path.join(here, "lib/app.mjs"), [mode, sink.url]);
      try {
        const url = `${app.url}/api/items`;
        // A returning visitor also holds a live session cookie (sessions are on by default);
        // without it every request would open a session and write Set-Cookie, a first visit
        // in disguise. Taken from this app now, so it is fresh for the whole run.
        const session = await liveSessionCookie(url, cases.returning.cookie);
        for (const [c, base] of Object.entries(cases)) {
          const headers = c === "returning" && session !== undefined ? { cookie: `${base.cookie}; ${session}` } : base;
          if (round === 0) {
            const p = await probeOnce(url, headers);
            checks[`${mode}/${c}`] = { status: p.status, setsAid: p.setCookie.some((s) => s.startsWith("aid=")), setsSession: p.setCookie.some((s) => s.startsWith("aid_session=")) };
          }
          await autocannonRun(url, headers, 1); // warm-up
          const u0 = await app.usage();
          const r = await autocannonRun(url, headers, MW_SECONDS);
          const u1 = await app.usage();
          const cpuUs = u1.cpu.user - u0.cpu.user + (u1.cpu.system - u0.cpu.system);
          r.cpuUsPerRequest = cpuUs / r.total;
          samples[`${mode}/${c}`].push(r);
          log(`middleware ${mode.padEnd(7)} ${c.padEnd(9)} round ${round + 1}/${MW_ROUNDS}: ${r.rps.toFixed(0)} req/s, app CPU ${r.cpuUsPerRequest.toFixed(1)} µs/req (p99 ${r.latencyP99} ms, non2xx ${r.non2xx}, errors ${r.errors})`);
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
  return { results: out, checks, seconds: MW_SECONDS, rounds: MW_ROUNDS, connections: MW_CONNECTIONS };
}

async function profileSection(sink) {
  if (!haveCore) return null;
  const dir = path.join(here, ".tmp", "prof");
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const r = await runSdk(sink, "threadline", N, RUN_DEADLINE_MS, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
  const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
  if (!file) return { run: r, error: "no profile written" };
  return { run: r, file: path.relative(here, path.join(dir, file)), ...summarizeProfile(path.join(dir, file), root) };
}

/** CPU profiles of the middleware app under load (returning visitor), one per mode. */
async function profileMiddleware(sink) {
  if (!haveExpress) return null;
  const out = {};
  for (const [mode, headers] of [
    ["mw", { cookie: "aid=3f1c2b9e-8d7a-4c6b-9a5e-1f2d3c4b5a69; theme=dark" }],
    ["mw-first", {}],
    ["mwtrack", { cookie: "aid=3f1c2b9e-8d7a-4c6b-9a5e-1f2d3c4b5a69; theme=dark" }],
  ]) {
    const appMode = mode === "mw-first" ? "mw" : mode;
    const dir = path.join(here, ".tmp", `prof-${mode}`);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const app = await startServer(path.join(here, "lib/app.mjs"), [appMode, sink.url], { execArgv: ["--cpu-prof", `--cpu-prof-dir=${dir}`] });
    let total = 0;
    try {
      total = (await autocannonRun(`${app.url}/api/items`, headers, MW_SECONDS)).total;
    } finally {
      await app.stop();
    }
    const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (file) {
      const full = path.join(dir, file);
      out[mode] = { file: path.relative(here, full), requests: total, perRequest: categorizeAppProfile(full, total), ...summarizeProfile(full, root) };
    }
  }
  return out;
}

async function main() {
  const loadavg = os.loadavg();
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadavgStart: loadavg,
    quick,
    N,
    runs: RUNS,
    cheapRuns: quick ? RUNS : Math.max(RUNS, CHEAP_RUNS),
    versions: Object.fromEntries(SDKS.filter((s) => s.pkg).map((s) => [s.id, s.id === "threadline" ? pkgVersion("threadline") : pkgVersion(s.pkg)])),
  };
  log(`threadline bench: N=${N}, ${RUNS} run(s) per SDK, node ${process.version}, ${meta.cpus} cpus, load ${loadavg.map((x) => x.toFixed(2)).join(" ")}`);
  if (!haveCore) log("threadline: SKIPPED: dist/index.js not built (run `npm run build` at the repository root)");

  const sink = await startServer(path.join(here, "lib/sink.mjs"));
  let sdk = { sdk: {}, skipped: {}, rudder: null };
  let mw = { skipped: "not run (--no-middleware)" };
  let prof = null;
  try {
    if (!flag("no-sdk")) sdk = await sdkSection(sink);
    if (!flag("no-middleware")) mw = await middlewareSection(sink);
    if (flag("profile") || (!quick && !flag("no-profile") && !ONLY)) {
      prof = await profileSection(sink);
      if (prof?.top) {
        log(`profile of one threadline run (${prof.file}): top self time`);
        for (const row of prof.top.slice(0, 20)) console.log(`  ${row.pct.toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}  ${row.where}${row.src ? `  (${row.src})` : ""}`);
      }
      if (prof && haveExpress && (!flag("no-middleware") || flag("profile"))) {
        prof.middleware = await profileMiddleware(sink);
        for (const [mode, p] of Object.entries(prof.middleware ?? {})) {
          log(`profile of the ${mode} app under load (${p.file}, ${p.requests} requests): CPU per request (profiler on)`);
          for (const row of p.perRequest) console.log(`  ${row.usPerRequest.toFixed(1).padStart(7)} µs  ${row.what}`);
        }
      }
    }
  } finally {
    await sink.stop();
  }
  meta.loadavgEnd = os.loadavg();
  meta.durationS = (Date.now() - started) / 1000;
  meta.configs = await loadConfigs();
  const all = { meta, ...sdk, middleware: mw, profile: prof };
  printTable(all);
  // A quick (smoke) run or a partial one never overwrites the committed results.
  const partial = quick || ONLY || flag("no-sdk") || flag("no-middleware") || opt("n", null) || opt("runs", null);
  const outDir = partial && !flag("write") ? path.join(here, ".tmp") : here;
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "results.json"), JSON.stringify(all, null, 2) + "\n");
  writeReport(all, outDir);
  log(`wrote ${path.relative(here, outDir) || "."}/RESULTS.md, results.svg, results.json in ${meta.durationS.toFixed(0)} s`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
