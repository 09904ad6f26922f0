// The floor's work, shared by the floor and its node-fetch diagnostic row so the two
// differ only in the HTTP client: build each message, JSON.stringify per 100, then
// POST the bodies with 4 in flight.
import { randomUUID } from "node:crypto";
import { EVENT, userIdFor, propertiesFor } from "../lib/workload.mjs";

export const BATCH = 100;
export const IN_FLIGHT = 4;

/** `post(body)` sends one body; `close()` releases the client's connections. */
export function floorBatches(post, close) {
  const library = { name: "floor", version: "0.0.0" };
  let batch = [];
  const bodies = [];
  return {
    track(i) {
      batch.push({
        type: "track",
        event: EVENT,
        userId: userIdFor(i),
        properties: propertiesFor(i),
        messageId: randomUUID(),
        timestamp: new Date().toISOString(),
        context: { library },
        integrations: {},
      });
      if (batch.length === BATCH) {
        bodies.push(JSON.stringify({ batch, sentAt: new Date().toISOString() }));
        batch = [];
      }
    },
    async finish() {
      if (batch.length) bodies.push(JSON.stringify({ batch, sentAt: new Date().toISOString() }));
      batch = [];
      let next = 0;
      let errors = 0;
      async function worker() {
        while (next < bodies.length) {
          const k = next++;
          const body = bodies[k];
          bodies[k] = undefined;
          await post(body).catch(() => {
            errors++;
          });
        }
      }
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      close();
      return { errors };
    },
  };
}
