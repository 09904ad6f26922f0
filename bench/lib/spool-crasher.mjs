// One process of the spool crash loop: node lib/spool-crasher.mjs <sinkUrl> <dir> <tag> <mode>
// mode "stream": tracks 20 events per millisecond-ish turn until SIGKILLed (the harness
// does that at a seeded random moment); "drain": sends what earlier processes left, closes, exits.
import { writeSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { EVENT, WRITE_KEY, userIdFor, propertiesFor } from "./workload.mjs";

const [sinkUrl, dir, tag, mode] = process.argv.slice(2);
const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/index.js");
const { Analytics } = await import(pathToFileURL(entry).href);
const analytics = new Analytics({ host: sinkUrl, writeKey: WRITE_KEY, spool: dir, flushInterval: 50 });
// Bounded either way: a stream is killed by the harness, a drain closes within 20 s.
setTimeout(() => process.exit(3), 30_000).unref();
writeSync(1, JSON.stringify({ ready: true, adopted: analytics.pending }) + "\n");
if (mode === "drain") {
  const result = await analytics.close({ timeoutMs: 20_000 });
  writeSync(1, JSON.stringify({ closed: result }) + "\n");
  process.exit(0);
}
let i = 0;
const turn = () => {
  for (let k = 0; k < 20; k++, i++) {
    analytics.track({ event: EVENT, userId: userIdFor(i), properties: propertiesFor(i), messageId: `${tag}-${i}` });
  }
  setTimeout(turn, 1);
};
turn();
