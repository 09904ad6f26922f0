#!/usr/bin/env node
// threadline's benchmark against its peers. `npm run bench` (here or at the root).
//
//   node run.mjs                 full run: N = 100 000, 3 runs per SDK (5 for floor and
//                                threadline), middleware 3 rounds x 5 s
//   node run.mjs --quick         smoke run: N = 10 000, 1 run, middleware 1 round x 2 s
//   node run.mjs --check         also judge DESIGN.md's budgets (lib/budgets.mjs): exit 1 when
//                                one is missed, saying which and by how much
//   options: --n=N --runs=R --only=floor,threadline,... --no-middleware --no-sdk --no-spool
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
import { budgetReport, checkBudgets } from "./lib/budgets.mjs";
import { middlewareSection } from "./lib/middleware-section.mjs";
import { startServer } from "./lib/procs.mjs";
import { profileMiddleware, profileSection } from "./lib/profile-section.mjs";
import { printTable, writeReport } from "./lib/report.mjs";
import { sdkSection } from "./lib/sdk-section.mjs";
import { here, makeLog, readSettings, root, sdksOf } from "./lib/settings.mjs";
import { spoolScenario } from "./spool.mjs";

const s = readSettings();
const log = makeLog(s);

function pkgVersion(name) {
  try {
    const p =
      name === "threadline" ? path.join(root, "package.json") : path.join(here, "node_modules", name, "package.json");
    return JSON.parse(fs.readFileSync(p, "utf8")).version;
  } catch {
    return "?";
  }
}

async function loadConfigs() {
  const configs = {};
  for (const sdk of sdksOf(s)) {
    try {
      configs[sdk.id] = (await import(`./adapters/${sdk.id}.mjs`)).config;
    } catch {
      configs[sdk.id] = "?";
    }
  }
  return configs;
}

async function profiles(sink) {
  const prof = await profileSection(sink, s);
  if (prof?.top) {
    log(`profile of one threadline run (${prof.file}): top self time`);
    for (const row of prof.top.slice(0, 20))
      console.log(
        `  ${row.pct.toFixed(1).padStart(5)}%  ${row.ms.toFixed(0).padStart(6)} ms  ${row.name}  ${row.where}${row.src ? `  (${row.src})` : ""}`,
      );
  }
  if (prof && s.haveExpress && (!s.flag("no-middleware") || s.flag("profile"))) {
    prof.middleware = await profileMiddleware(sink, s);
    for (const [mode, p] of Object.entries(prof.middleware ?? {})) {
      log(`profile of the ${mode} app under load (${p.file}, ${p.requests} requests): CPU per request (profiler on)`);
      for (const row of p.perRequest) console.log(`  ${row.usPerRequest.toFixed(1).padStart(7)} µs  ${row.what}`);
    }
  }
  return prof;
}

async function main() {
  const loadavg = os.loadavg();
  const meta = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    loadavgStart: loadavg,
    quick: s.quick,
    N: s.N,
    runs: s.RUNS,
    cheapRuns: s.quick ? s.RUNS : Math.max(s.RUNS, s.CHEAP_RUNS),
    versions: Object.fromEntries(
      sdksOf(s)
        .filter((sdk) => sdk.pkg)
        .map((sdk) => [sdk.id, sdk.id === "threadline" ? pkgVersion("threadline") : pkgVersion(sdk.pkg)]),
    ),
  };
  const load = loadavg.map((x) => x.toFixed(2)).join(" ");
  log(`threadline bench: N=${s.N}, ${s.RUNS} run(s) per SDK, node ${process.version}, ${meta.cpus} cpus, load ${load}`);
  if (!s.haveCore) log("threadline: SKIPPED: dist/index.js not built (run `npm run build` at the repository root)");

  const sink = await startServer(path.join(here, "lib/sink.mjs"));
  let sdk = { sdk: {}, skipped: {}, rudder: null };
  let mw = { skipped: "not run (--no-middleware)" };
  let spool = { skipped: "not run (--no-spool, --no-sdk, or --only without threadline)" };
  let prof = null;
  try {
    if (!s.flag("no-sdk")) sdk = await sdkSection(sink, s);
    // The durable spool, on vs off, and wire duplicates per crash (spool.mjs).
    if (s.haveCore && !s.flag("no-sdk") && !s.flag("no-spool") && (!s.ONLY || s.ONLY.has("threadline"))) {
      spool = await spoolScenario(sink, {
        n: s.N,
        runs: s.quick ? s.RUNS : s.CHEAP_RUNS,
        crashes: s.quick ? 3 : 10,
        deadlineMs: s.RUN_DEADLINE_MS,
        log,
      });
    }
    if (!s.flag("no-middleware")) mw = await middlewareSection(sink, s);
    if (s.flag("profile") || (!s.quick && !s.flag("no-profile") && !s.ONLY)) prof = await profiles(sink);
  } finally {
    await sink.stop();
  }
  meta.loadavgEnd = os.loadavg();
  meta.durationS = (Date.now() - s.started) / 1000;
  meta.configs = await loadConfigs();
  const all = { meta, ...sdk, middleware: mw, spool, profile: prof };
  printTable(all);
  // A quick (smoke) run or a partial one never overwrites the committed results.
  const partial =
    s.quick || s.ONLY || s.flag("no-sdk") || s.flag("no-middleware") || s.opt("n", null) || s.opt("runs", null);
  const outDir = partial && !s.flag("write") ? path.join(here, ".tmp") : here;
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, "results.json"), JSON.stringify(all, null, 2) + "\n");
  writeReport(all, outDir);
  log(
    `wrote ${path.relative(here, outDir) || "."}/RESULTS.md, results.svg, results.json in ${meta.durationS.toFixed(0)} s`,
  );
  if (s.check) {
    const { lines, exitCode } = budgetReport(checkBudgets(all));
    console.log(`\n${lines.join("\n")}`);
    process.exitCode = exitCode;
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
