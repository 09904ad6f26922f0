#!/usr/bin/env node
// The core's performance budget (DESIGN.md "Performance budget"): threadline against the
// floor only, alternating runs, each figure as threadline ÷ floor of the same round.
//
//   node budget.mjs [--runs=7] [--n=100000] [--profile] [--json=FILE]
//
// Every run is a fresh process (lib/child.mjs) against one sink process; rounds alternate
// floor, threadline, floor, threadline ... so background load falls on both alike. A
// ratio is computed per round and the median of those is the figure (the ratio of the
// medians is printed beside it). --profile adds one CPU-profiled threadline burst.
// Run it with the Node you want to measure: `/path/to/node budget.mjs`.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { httpJson, runOnce, startServer } from "./lib/procs.mjs";
import { summarizeProfile } from "./lib/profile.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const args = process.argv.slice(2);
const opt = (name, dflt) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const N = Number(opt("n", 100_000));
const RUNS = Number(opt("runs", 7));
const PROFILE = args.includes("--profile");
const JSON_OUT = opt("json", "");
const DEADLINE_MS = 60_000;

/** The budget: threadline ÷ floor, at most. */
export const BUDGET = { wallMs: 1.1, cpuMs: 1.2, maxRssKiB: 1.1, enqueueNsPerCall: 1.2 };
const LABELS = {
  wallMs: "wall time",
  cpuMs: "CPU time (user + system)",
  maxRssKiB: "peak RSS",
  enqueueNsPerCall: "enqueue per call",
};

const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function runSdk(sink, sdk, execArgv = []) {
  await httpJson("POST", `${sink.url}/__reset`);
  const result = await runOnce(path.join(here, "lib/child.mjs"), [sdk, sink.url, String(N), String(DEADLINE_MS)], {
    timeoutMs: DEADLINE_MS + 10_000,
    execArgv,
  });
  const stats = await httpJson("GET", `${sink.url}/__stats`);
  return { ...result, requests: stats.requests, delivered: stats.uniqueIds || stats.events };
}

if (!fs.existsSync(path.join(root, "dist/index.js"))) {
  console.error("dist/index.js is missing: run `npm run build` at the repository root first");
  process.exit(1);
}

const sink = await startServer(path.join(here, "lib/sink.mjs"));
const rounds = [];
try {
  for (let round = 1; round <= RUNS; round++) {
    const floor = await runSdk(sink, "floor");
    const threadline = await runSdk(sink, "threadline");
    if (!floor.ok || !threadline.ok || floor.delivered !== N || threadline.delivered !== N) {
      throw new Error(
        `round ${round} failed: floor ${floor.ok ? floor.delivered : floor.reason}, threadline ${threadline.ok ? threadline.delivered : threadline.reason}`,
      );
    }
    rounds.push({ floor, threadline });
    const r = (k) => (threadline[k] / floor[k]).toFixed(2);
    console.log(
      `round ${round}/${RUNS}: wall ${floor.wallMs.toFixed(0)} / ${threadline.wallMs.toFixed(0)} ms (${r("wallMs")}×), ` +
        `cpu ${floor.cpuMs.toFixed(0)} / ${threadline.cpuMs.toFixed(0)} ms (${r("cpuMs")}×), ` +
        `rss ${(floor.maxRssKiB / 1024).toFixed(0)} / ${(threadline.maxRssKiB / 1024).toFixed(0)} MiB (${r("maxRssKiB")}×), ` +
        `enqueue ${(floor.enqueueNsPerCall / 1000).toFixed(2)} / ${(threadline.enqueueNsPerCall / 1000).toFixed(2)} µs (${r("enqueueNsPerCall")}×), ` +
        `requests ${floor.requests} / ${threadline.requests}`,
    );
  }
  let profile;
  if (PROFILE) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "threadline-budget-prof-"));
    await runSdk(sink, "threadline", ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
    const file = fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));
    if (file) profile = summarizeProfile(path.join(dir, file), root);
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const figures = Object.keys(BUDGET).map((key) => {
    const perRound = median(rounds.map((r) => r.threadline[key] / r.floor[key]));
    const ofMedians = median(rounds.map((r) => r.threadline[key])) / median(rounds.map((r) => r.floor[key]));
    return { key, label: LABELS[key], budget: BUDGET[key], ratio: perRound, ofMedians, met: perRound <= BUDGET[key] };
  });
  const out = {
    node: process.version,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model.trim()}`,
    loadavg: os.loadavg(),
    n: N,
    runs: RUNS,
    at: new Date().toISOString(),
    medians: Object.fromEntries(
      ["floor", "threadline"].map((sdk) => [
        sdk,
        Object.fromEntries([...Object.keys(BUDGET), "requests"].map((k) => [k, median(rounds.map((r) => r[sdk][k]))])),
      ]),
    ),
    figures,
    profile: profile && {
      totalMs: profile.totalMs,
      top: profile.top.slice(0, 15),
      byFile: profile.byFile.slice(0, 10),
    },
  };
  console.log(
    `\nNode ${out.node}, ${out.cpus}, N = ${N}, ${RUNS} alternating rounds; ratio = median of per-round threadline ÷ floor`,
  );
  for (const f of figures) {
    console.log(
      `${f.label.padEnd(26)} ${f.ratio.toFixed(2)}× (of medians ${f.ofMedians.toFixed(2)}×)  budget ≤ ${f.budget}×  ${f.met ? "met" : "MISSED"}`,
    );
  }
  if (profile) {
    console.log(`\nCPU profile of one threadline run (${profile.totalMs.toFixed(0)} ms sampled), self time by file:`);
    for (const row of out.profile.byFile)
      console.log(`  ${row.ms.toFixed(0).padStart(6)} ms ${row.pct.toFixed(1).padStart(5)}%  ${row.where}`);
    console.log("top functions (self):");
    for (const row of out.profile.top)
      console.log(`  ${row.ms.toFixed(0).padStart(6)} ms ${row.pct.toFixed(1).padStart(5)}%  ${row.name} ${row.where}`);
  }
  if (JSON_OUT) fs.writeFileSync(JSON_OUT, JSON.stringify(out, null, 2) + "\n");
} finally {
  await sink.stop();
}
