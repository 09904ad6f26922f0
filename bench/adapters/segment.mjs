// @segment/analytics-node: defaults (flushAt 15 = its batch size, flushInterval 10 s,
// global fetch). It has no queue bound, so nothing to raise. Drained with its own
// closeAndFlush() (default timeout: 75 s).
import { EVENT, WRITE_KEY, userIdFor, propertiesFor } from "../lib/workload.mjs";

export const config =
  "`new Analytics({ writeKey, host })`: all defaults (flushAt = batch size 15, flushInterval 10 s, maxRetries 10, httpRequestTimeout 10 s, no queue bound, one fetch per batch with no cap on requests in flight); drained with `await analytics.closeAndFlush()`.";

export async function create({ host }) {
  const { Analytics } = await import("@segment/analytics-node");
  const analytics = new Analytics({ writeKey: WRITE_KEY, host });
  let errors = 0;
  analytics.on("error", () => {
    errors++;
  });
  return {
    track(i) {
      analytics.track({ event: EVENT, userId: userIdFor(i), properties: propertiesFor(i) });
    },
    async finish() {
      await analytics.closeAndFlush();
      return { errors };
    },
  };
}
