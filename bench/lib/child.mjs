// One measured run of one SDK, in a fresh process:
//   node lib/child.mjs <sdk> <sinkUrl> <n> <deadlineMs>
// Loads the SDK's adapter, makes N `track` calls in one synchronous loop (enqueue
// cost), calls the SDK's own flush/close, and waits until the sink has counted N
// events (wall time). Reports over IPC (or stdout) one JSON object and exits.

import { httpJson } from "./procs.mjs";
import { performance } from "node:perf_hooks";

const [sdk, sinkUrl, nArg, deadlineArg] = process.argv.slice(2);
const n = Number(nArg);
const deadlineMs = Number(deadlineArg || 60000);
const startedAt = performance.now();
const hardStop = startedAt + deadlineMs;

function report(result) {
  const payload = { sdk, n, ...result };
  if (process.send) {
    process.send(payload, () => process.exit(0));
  } else {
    process.stdout.write(JSON.stringify(payload) + "\n", () => process.exit(0));
  }
}

// Asks the sink to answer once it has counted `count` events; a dedicated,
// non-pooled connection so it never queues behind an SDK's own requests.
function waitForSink(count, timeoutMs) {
  return httpJson("GET", new URL(`/__wait?n=${count}&timeout=${Math.max(1, Math.floor(timeoutMs))}`, sinkUrl));
}

function usage(cpu0) {
  const cpu = process.cpuUsage(cpu0);
  return {
    cpuUserMs: cpu.user / 1000,
    cpuSysMs: cpu.system / 1000,
    cpuMs: (cpu.user + cpu.system) / 1000,
    maxRssKiB: process.resourceUsage().maxRSS,
  };
}

// Last resort: whatever state the SDK is in, this process ends by the deadline
// (checked between calls too, since a timer cannot fire during the loop).
const killer = setTimeout(() => {
  report({ ok: false, reason: `deadline of ${deadlineMs} ms reached`, phase: "drain" });
}, deadlineMs);

try {
  const adapter = await import(`../adapters/${sdk}.mjs`);
  const client = await adapter.create({ host: sinkUrl, n });

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let i = 0;
  for (; i < n; i++) {
    client.track(i);
    if ((i & 255) === 255 && performance.now() > hardStop) break;
  }
  const t1 = performance.now();
  if (i < n) {
    clearTimeout(killer);
    report({
      ok: false,
      reason: `deadline of ${deadlineMs} ms reached during the call loop after ${i + 1} of ${n} calls`,
      phase: "enqueue",
      enqueued: i + 1,
      enqueueNsPerCall: ((t1 - t0) * 1e6) / (i + 1),
      ...usage(cpu0),
    });
  } else {
    let flushedAt = 0;
    let finishInfo;
    const finishing = Promise.resolve(client.finish()).then((info) => {
      flushedAt = performance.now();
      finishInfo = info;
    });
    const sink = await waitForSink(n, hardStop - performance.now());
    const t2 = performance.now();
    // Let the SDK's own flush/close settle too (bounded by the deadline).
    await Promise.race([
      finishing,
      new Promise((r) => setTimeout(r, Math.max(0, hardStop - performance.now())).unref()),
    ]);
    clearTimeout(killer);
    const u = usage(cpu0);
    report({
      ok: !sink.timedOut,
      reason: sink.timedOut ? `sink counted ${sink.events} of ${n} events by the deadline` : undefined,
      enqueueNsPerCall: ((t1 - t0) * 1e6) / n,
      enqueueMs: t1 - t0,
      wallMs: t2 - t0,
      flushResolvedMs: flushedAt ? flushedAt - t0 : null,
      finishInfo,
      ...u,
    });
  }
} catch (err) {
  clearTimeout(killer);
  report({ ok: false, reason: `error: ${err?.stack ?? err}` });
}
