// The SDK section of a bench run: every SDK's burst of N `track` calls, each run in a
// fresh child process (lib/child.mjs) against one sink, rounds interleaved so background
// load spreads over all rows alike; each figure is the median over the rounds.
import path from "node:path";
import { median } from "./format.mjs";
import { httpJson, runOnce } from "./procs.mjs";
import { here, makeLog, sdksOf } from "./settings.mjs";

export async function runSdk(sink, sdk, n, deadlineMs, execArgv = []) {
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

function describeRun(r, n) {
  if (!r.ok) return `FAILED: ${r.reason}${r.stderr ? `\n${r.stderr}` : ""}`;
  return (
    `enqueue ${(r.enqueueNsPerCall / 1000).toFixed(2)} us/call, wall ${r.wallMs.toFixed(0)} ms, ` +
    `cpu ${r.cpuMs.toFixed(0)} ms, rss ${(r.maxRssKiB / 1024).toFixed(0)} MiB, ${r.requests} req, ${r.delivered}/${n}`
  );
}

export async function sdkSection(sink, s) {
  const log = makeLog(s);
  const { N, RUNS } = s;
  const results = {};
  const sdks = sdksOf(s).filter((sdk) => sdk.id !== "rudder");
  for (const sdk of sdks) results[sdk.id] = [];
  const skipped = {};
  if (!s.haveCore && results.threadline) {
    skipped.threadline = "dist/index.js not built (run `npm run build` at the repository root)";
    delete results.threadline;
  }
  const cheap = new Set(["floor", "floor-node-fetch", "threadline"]);
  const rounds = s.quick ? RUNS : Math.max(RUNS, s.CHEAP_RUNS);
  for (let round = 0; round < rounds; round++) {
    for (const sdk of sdks) {
      if (!results[sdk.id]) continue;
      if (round >= RUNS && !cheap.has(sdk.id)) continue;
      const prev = results[sdk.id];
      if (prev.length && !prev[prev.length - 1].ok) continue; // a run that failed is not repeated
      if (Date.now() - s.started > s.BENCH_DEADLINE_MS * 0.6) {
        log(`time budget: skipping ${sdk.id} round ${round + 1}`);
        continue;
      }
      const r = await runSdk(sink, sdk.id, N, s.RUN_DEADLINE_MS);
      prev.push(r);
      log(`${sdk.id.padEnd(10)} run ${round + 1}/${cheap.has(sdk.id) ? rounds : RUNS}: ${describeRun(r, N)}`);
    }
  }
  const out = {};
  for (const [id, runs] of Object.entries(results)) out[id] = summarize(runs, N);
  const rudder = sdksOf(s).some((sdk) => sdk.id === "rudder") ? await rudderSection(sink, s, out) : null;
  return { sdk: out, skipped, rudder };
}

// RudderStack: its enqueue re-serializes the whole in-memory queue on every call
// (quadratic in a burst), so N calls cannot finish in any sane time. One attempt at
// N bounded by a deadline, then small probes that show the growth.
async function rudderSection(sink, s, out) {
  const log = makeLog(s);
  const attempt = await runSdk(sink, "rudder", s.N, s.RUDDER_ATTEMPT_MS);
  log(`rudder     attempt at N=${s.N}: ${attempt.ok ? `wall ${attempt.wallMs.toFixed(0)} ms` : attempt.reason}`);
  const probes = [];
  for (const pn of s.RUDDER_PROBES) {
    const p = await runSdk(sink, "rudder", pn, 30_000);
    probes.push(p);
    log(
      `rudder     probe N=${pn}: ` +
        (p.ok
          ? `enqueue ${(p.enqueueNsPerCall / 1000).toFixed(0)} us/call, wall ${p.wallMs.toFixed(0)} ms, ${p.requests} req, ${p.delivered}/${pn}`
          : p.reason),
    );
  }
  if (attempt.ok) out.rudder = summarize([attempt], s.N);
  return { attempt, probes };
}
