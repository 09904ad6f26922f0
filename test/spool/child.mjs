// A process with a spooled client, driven by the spool tests. Everything it reports
// goes to stdout as one JSON object per line, written synchronously (so a line is out
// before a SIGKILL that follows it). Settings come from the environment:
//   DIST      the built package to import          DIR    the spool directory
//   HOST      the collector                         KEY    its write key (tells processes apart)
//   TAG       prefix of this process's messageIds   COUNT  events to track (0: none; "stream": until killed)
//   PER_TURN  events per turn (default 20)          THEN   after tracking: "hold" (until "close" on stdin) or "close"
//   SETUID    run as this uid/gid once imported     MAX_QUEUE, MAX_BYTES  client options
//   NO_SPOOL  "1": the same client without a spool  RSS    "1": report the peak RSS
//   CLOSE_MS  close() deadline (default 20000)
import { writeSync } from "node:fs";

const env = process.env;
const { Analytics } = await import(env.DIST);
if (env.SETUID) {
  process.setgid(Number(env.SETUID));
  process.setuid(Number(env.SETUID));
}

const say = (object) => writeSync(1, JSON.stringify(object) + "\n");
const options = {
  host: env.HOST,
  writeKey: env.KEY ?? "key",
  flushAt: 20,
  flushInterval: 50,
  minRetryDelay: 20,
  maxRetryDelay: 100,
  maxRetries: 100000,
};
if (env.NO_SPOOL !== "1") options.spool = env.MAX_BYTES ? { dir: env.DIR, maxBytes: Number(env.MAX_BYTES) } : env.DIR;
if (env.MAX_QUEUE) options.maxQueueSize = Number(env.MAX_QUEUE);
const client = new Analytics(options);
client.on("error", (error) => say({ error: error.code, message: error.message }));
client.on("drop", (event) => say({ drop: event.reason, count: event.count }));
let peakRss = process.memoryUsage().rss;
const baseRss = peakRss;
say({ ready: process.pid, pending: client.pending });

const stream = env.COUNT === "stream";
const total = stream ? Infinity : Number(env.COUNT ?? 0);
const perTurn = Number(env.PER_TURN ?? 20);
let next = 0;

function turn() {
  const ids = [];
  for (let k = 0; k < perTurn && next < total; k++, next++) {
    const messageId = `${env.TAG}-${next}`;
    client.track({ event: "Spool Test", userId: "u1", messageId, properties: { n: next, pad: "x".repeat(200) } });
    ids.push(messageId);
  }
  // Accepted: the calls returned and a setImmediate queued after them has run.
  setImmediate(() => {
    if (ids.length > 0) say({ accepted: ids });
    if (env.RSS === "1") peakRss = Math.max(peakRss, process.memoryUsage().rss);
    if (next < total) {
      if (stream) setTimeout(turn, 1);
      else setImmediate(turn);
    } else done();
  });
}

async function done() {
  say({ tracked: next, pending: client.pending, baseRss, peakRss });
  if (env.THEN === "close") {
    const result = await client.close({ timeoutMs: Number(env.CLOSE_MS ?? 20000) });
    say({ closed: result });
    process.exit(0);
  }
  process.stdin.on("data", async (chunk) => {
    if (String(chunk).includes("rss")) say({ baseRss, peakRss, rss: process.memoryUsage().rss });
    if (String(chunk).includes("close")) {
      const result = await client.close({ timeoutMs: Number(env.CLOSE_MS ?? 20000) });
      say({ closed: result });
      process.exit(0);
    }
  });
}

turn();
