// @rudderstack/rudder-sdk-node: defaults (flushAt 20 = batch size, flushInterval 10 s,
// gzip on, axios) except maxInternalQueueSize raised from 20 000 to hold the burst.
// Its own flush() sends one batch of flushAt; we call it until the queue is empty.
import { EVENT, WRITE_KEY, userIdFor, propertiesFor } from "../lib/workload.mjs";

export const config =
  "`new Analytics(writeKey, { dataPlaneUrl: host, maxInternalQueueSize: 200000 })`: defaults otherwise (flushAt 20 = batch size, flushInterval 10 s, maxQueueSize 450 KiB per batch, gzip, axios); drained by calling `await client.flush()` until its queue is empty.";

export async function create({ host }) {
  const mod = await import("@rudderstack/rudder-sdk-node");
  const Analytics = mod.default ?? mod;
  let errors = 0;
  const client = new Analytics(WRITE_KEY, {
    dataPlaneUrl: host,
    maxInternalQueueSize: 200000,
    errorHandler: () => {
      errors++;
    },
  });
  return {
    track(i) {
      client.track({ event: EVENT, userId: userIdFor(i), properties: propertiesFor(i) });
    },
    async finish() {
      while (client.queue.length > 0) await client.flush();
      if (client.pendingFlush) await client.pendingFlush.catch(() => {});
      return { errors };
    },
  };
}
