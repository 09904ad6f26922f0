// posthog-node: defaults (flushAt 20, maxBatchSize 100, flushInterval 5 s, gzip on)
// except maxQueueSize raised from 10 000 to hold the burst; drained with shutdown(),
// given a longer deadline than its 30 s default so a slow drain is measured, not cut.
import { EVENT, userIdFor, propertiesFor } from "../lib/workload.mjs";

export const config =
  "`new PostHog(key, { host, maxQueueSize: 200000 })`: defaults otherwise (flushAt 20, maxBatchSize 100, flushInterval 5 s, gzip, one batch request at a time); drained with `await posthog.shutdown(120000)` (its default deadline is 30 s).";

export async function create({ host }) {
  const { PostHog } = await import("posthog-node");
  const posthog = new PostHog("phc_bench_project_key", { host, maxQueueSize: 200000 });
  let errors = 0;
  posthog.on("error", () => {
    errors++;
  });
  return {
    track(i) {
      posthog.capture({ distinctId: userIdFor(i), event: EVENT, properties: propertiesFor(i) });
    },
    async finish() {
      await posthog.shutdown(120000);
      return { errors };
    },
  };
}
