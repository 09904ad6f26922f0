#!/usr/bin/env node
// The durable spool's costs (issue 13), as a scenario of run.mjs or on its own:
//   node spool.mjs [--n=N] [--runs=R] [--crashes=C]
// 1. The N-event burst of the threadline row, spool off vs on, alternating in one run
//    (DESIGN.md budget: spool on ≤ 1.3× spool off). Medians of R runs each.
// 2. Wire duplicates per crash: C processes on one spool dir, each SIGKILLed at a seeded
//    random moment while streaming, then one that drains; the sink counts events sent
//    vs distinct messageIds. Duplicates are batches in flight at a crash, resent by the next.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { httpJson, runOnce, startServer } from "./lib/procs.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const median = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  return s.length === 0 ? null : s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function burst(sink, sdk, n, deadlineMs) {
  await httpJson("POST", `${sink.url}/__reset`);
  const result = await runOnce(path.join(here, "lib/child.mjs"), [sdk, sink.url, String(n), String(deadlineMs)], {
    timeoutMs: deadlineMs + 10_000,
  });
  const stats = await httpJson("GET", `${sink.url}/__stats`);
  return { ...result, delivered: stats.uniqueIds };
}

function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Starts one crasher; resolves once it said it is ready (its first line). */
function crasher(sink, dir, tag, mode) {
  const child = spawn(process.execPath, [path.join(here, "lib/spool-crasher.mjs"), sink.url, dir, tag, mode], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = [];
  let buffered = "";
  child.stdout.on("data", (chunk) => {
    const parts = (buffered + chunk).split("\n");
    buffered = parts.pop();
    for (const part of parts) if (part) lines.push(JSON.parse(part));
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const guard = setTimeout(() => child.kill("SIGKILL"), 40_000);
  exited.then(() => clearTimeout(guard));
  const ready = new Promise((resolve) => {
    const poll = setInterval(() => {
      if (lines.length > 0 || child.exitCode !== null) {
        clearInterval(poll);
        resolve(lines[0]);
      }
    }, 5);
  });
  return { child, lines, ready, exited };
}

async function crashLoop(sink, crashes, log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "threadline-bench-crash-"));
  const random = seeded(13);
  await httpJson("POST", `${sink.url}/__reset`);
  try {
    for (let k = 0; k < crashes; k++) {
      const run = crasher(sink, dir, `c${k}`, "stream");
      await run.ready;
      await new Promise((resolve) => setTimeout(resolve, 100 + Math.floor(random() * 900)));
      run.child.kill("SIGKILL");
      await run.exited;
    }
    const drain = crasher(sink, dir, "drain", "drain");
    await drain.exited;
    const stats = await httpJson("GET", `${sink.url}/__stats`);
    const duplicates = stats.events - stats.uniqueIds;
    const left = fs.readdirSync(dir).length;
    log(
      `spool crash loop: ${crashes} SIGKILLs, ${stats.uniqueIds} distinct events delivered, ${duplicates} duplicates on the wire (${(duplicates / crashes).toFixed(1)} per crash), ${left} files left`,
    );
    return {
      crashes,
      distinct: stats.uniqueIds,
      sent: stats.events,
      duplicates,
      duplicatesPerCrash: duplicates / crashes,
      filesLeft: left,
      closed: drain.lines.at(-1)?.closed,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs both parts against `sink` (a lib/sink.mjs server); returns the figures. */
export async function spoolScenario(
  sink,
  { n = 100_000, runs = 5, crashes = 10, deadlineMs = 60_000, log = console.log } = {},
) {
  const rows = { off: [], on: [] };
  for (let round = 0; round < runs; round++) {
    for (const [key, sdk] of [
      ["off", "threadline"],
      ["on", "threadline-spool"],
    ]) {
      const r = await burst(sink, sdk, n, deadlineMs);
      rows[key].push(r);
      log(
        `spool ${key.padEnd(3)} run ${round + 1}/${runs}: ` +
          (r.ok
            ? `wall ${r.wallMs.toFixed(0)} ms, cpu ${r.cpuMs.toFixed(0)} ms, rss ${(r.maxRssKiB / 1024).toFixed(0)} MiB, enqueue ${(r.enqueueNsPerCall / 1000).toFixed(2)} us/call, ${r.delivered}/${n}`
            : `FAILED: ${r.reason}`),
      );
    }
  }
  const pick = (key, field) => median(rows[key].filter((r) => r.ok).map((r) => r[field]));
  const figures = {};
  for (const field of ["wallMs", "cpuMs", "maxRssKiB", "enqueueNsPerCall"]) {
    const off = pick("off", field);
    const on = pick("on", field);
    figures[field] = { off, on, ratio: off && on ? on / off : null };
  }
  log(
    `spool on ÷ off (medians of ${runs}): wall ${figures.wallMs.ratio?.toFixed(2)}×, cpu ${figures.cpuMs.ratio?.toFixed(2)}×, peak RSS ${figures.maxRssKiB.ratio?.toFixed(2)}×, enqueue ${figures.enqueueNsPerCall.ratio?.toFixed(2)}× (budget: ≤ 1.3×)`,
  );
  const crashLoopResult = await crashLoop(sink, crashes, log);
  return {
    n,
    runs,
    budget: 1.3,
    figures,
    failures: [...rows.off, ...rows.on].filter((r) => !r.ok).map((r) => r.reason),
    crashLoop: crashLoopResult,
    raw: rows,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const opt = (name, dflt) =>
    Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt);
  const sink = await startServer(path.join(here, "lib/sink.mjs"));
  try {
    const result = await spoolScenario(sink, {
      n: opt("n", 100_000),
      runs: opt("runs", 5),
      crashes: opt("crashes", 10),
    });
    fs.mkdirSync(path.join(here, ".tmp"), { recursive: true });
    fs.writeFileSync(path.join(here, ".tmp", "spool.json"), JSON.stringify(result, null, 2) + "\n");
  } finally {
    await sink.stop();
  }
}
