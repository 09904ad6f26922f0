// Plays a warm serverless container: one process, the handler invoked many times in a row.
// `node examples/serverless/run.mjs [invocations]` after `npm run build`. With no
// THREADLINE_HOST it starts a local collector of its own (port 0, a temp data file) and
// checks, after every invocation, that the collector already holds that invocation's events.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startCollector } from "threadline/dev";

const invocations = Number(process.argv[2] ?? 50);
let collector;
let dataDir;
if (!process.env.THREADLINE_HOST) {
  dataDir = mkdtempSync(join(tmpdir(), "threadline-serverless-"));
  collector = await startCollector({ port: 0, dataFile: join(dataDir, "events.ndjson"), quiet: true });
  process.env.THREADLINE_HOST = collector.url;
}
// Imported only now: the handler's client reads THREADLINE_HOST when the module loads,
// as a function's client does at cold start.
const { handler } = await import("./handler.mjs");

const countEvents = async () => {
  const res = await fetch(`${process.env.THREADLINE_HOST}/dev/events`);
  return (await res.json()).events.length;
};

try {
  const before = collector ? 0 : await countEvents().catch(() => undefined);
  for (let i = 1; i <= invocations; i++) {
    const answer = await handler({ userId: `user_${(i % 7) + 1}`, orderId: `order_${i}`, total: 10 * i });
    if (answer.statusCode !== 200) throw new Error(`invocation ${i} answered ${answer.statusCode}`);
    // Each invocation sends two events and the handler returns only once they are delivered.
    if (collector && (await countEvents()) !== 2 * i)
      throw new Error(`after invocation ${i} the collector lacks its events`);
  }
  const held = await countEvents().catch(() => undefined);
  const delivered =
    held === undefined || before === undefined ? "" : `; the collector holds ${held - before} new events`;
  console.log(`${invocations} invocations, ${2 * invocations} events tracked${delivered}`);
} finally {
  await collector?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
