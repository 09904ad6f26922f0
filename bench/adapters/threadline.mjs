// threadline, as built at the repository root (dist/index.js): default options
// except maxQueueSize raised to hold the burst; drained with flush(), then close().
import { pathToFileURL } from "node:url";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { EVENT, WRITE_KEY, userIdFor, propertiesFor } from "../lib/workload.mjs";

export const config =
  "`new Analytics({ host, writeKey, maxQueueSize: 200000 })`: defaults otherwise (flushAt 20, maxBatchSize 100, maxBatchBytes 480 KiB, flushInterval 10 s); drained with `await analytics.flush()` then `await analytics.close()`.";

export const entry = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../dist/index.js");

export async function create({ host }) {
  const { Analytics } = await import(pathToFileURL(entry).href);
  const analytics = new Analytics({ host, writeKey: WRITE_KEY, maxQueueSize: 200000 });
  let errors = 0;
  let drops = 0;
  analytics.on?.("error", () => {
    errors++;
  });
  analytics.on?.("drop", (e) => {
    drops += e?.count ?? 1;
  });
  return {
    track(i) {
      analytics.track({ event: EVENT, userId: userIdFor(i), properties: propertiesFor(i) });
    },
    async finish() {
      const result = await analytics.flush();
      await analytics.close({ timeoutMs: 10000 });
      return { errors, drops, flushResult: result };
    },
  };
}
