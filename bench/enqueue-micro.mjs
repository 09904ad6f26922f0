#!/usr/bin/env node
// Enqueue cost per call (validate, stamp, walk, serialize, queue): the part of `track()`
// that runs on the caller's request path. Bundles src/ with esbuild so it measures the
// working tree without a build; nothing is sent (the batch never fills, the interval is
// an hour). Prints the median µs/call of several rounds.
//
//   node bench/enqueue-micro.mjs [--calls=50000] [--rounds=9] [--src=DIR]
// --src measures another checkout's src/ (e.g. `git worktree` or `git archive` of a base
// commit): run both alternately and compare the CPU figure, which load on a shared
// machine disturbs less than the wall clock.
import { build } from "esbuild";
import { mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name, dflt) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt);
const CALLS = arg("calls", 50_000);
const ROUNDS = arg("rounds", 9);
const src = process.argv.find((a) => a.startsWith("--src="))?.slice(6) ?? path.join(root, "src");

// Inside the tree so the bundle resolves the same node_modules.
const dir = mkdtempSync(path.join(root, "node_modules", ".micro-"));
const outfile = path.join(dir, "index.mjs");
await build({
  entryPoints: [path.join(path.resolve(src), "index.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  outfile,
  logLevel: "error",
  packages: "external",
  absWorkingDir: root,
});
const { Analytics } = await import(pathToFileURL(outfile).href);
rmSync(dir, { recursive: true, force: true });

// The same shape the peer benchmark sends: a few properties, a small context.
const properties = {
  plan: "pro",
  amount: 42.5,
  items: [
    { sku: "a-1", qty: 2 },
    { sku: "b-7", qty: 1 },
  ],
  coupon: null,
  trial: false,
};
const context = {
  ip: "203.0.113.9",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
  locale: "en-US",
  page: { path: "/checkout", url: "https://shop.example/checkout" },
};

const results = [];
const cpu = [];
for (let round = 0; round < ROUNDS; round++) {
  const analytics = new Analytics({
    host: "http://127.0.0.1:9",
    flushAt: CALLS + 1,
    maxBatchSize: 100,
    flushInterval: 3_600_000,
    maxQueueSize: CALLS + 1,
  });
  const start = process.hrtime.bigint();
  const startCpu = process.cpuUsage();
  for (let i = 0; i < CALLS; i++)
    analytics.track({ event: "Order Completed", userId: "user-" + (i & 1023), properties, context });
  const usage = process.cpuUsage(startCpu);
  const elapsed = Number(process.hrtime.bigint() - start) / 1000;
  results.push(elapsed / CALLS);
  cpu.push((usage.user + usage.system) / CALLS);
  analytics.batcher?.destroy();
}
const median = (list) => list.sort((a, b) => a - b)[Math.floor(list.length / 2)];
// The first round warms the JIT up; the median leaves it out anyway.
console.log(
  `enqueue ${path.relative(root, path.resolve(src)) || "src"}: ${median(cpu).toFixed(3)} µs CPU/call, ${median(results).toFixed(3)} µs wall/call (medians of ${ROUNDS} x ${CALLS}; wall min ${results[0].toFixed(3)})`,
);
// Nothing queued here is meant to leave: skip the beforeExit drain.
process.exit(0);
