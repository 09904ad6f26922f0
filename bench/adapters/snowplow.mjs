// @snowplow/node-tracker: defaults (POST, bufferSize 10, maxPostBytes 40 000 = its
// batch size, base64 self-describing events, one request at a time) except the
// in-memory event store's maxSize raised from 1 000 to hold the burst. The user id is
// set with setUserId() before each call, the event is self-describing with the same
// properties as the others' `track`.
import { EVENT, userIdFor, propertiesFor } from "../lib/workload.mjs";

export const config =
  '`newTracker({ namespace, appId }, { endpoint: host, eventStore: newInMemoryEventStore({ maxSize: 200000 }) })`: defaults otherwise (POST, bufferSize 10, batches up to maxPostBytes 40 000, base64 payloads, one request at a time); each call is `setUserId(id)` + `track(buildSelfDescribingEvent({ event: { schema: "iglu:com.example/order_completed/jsonschema/1-0-0", data: properties } }))`; drained with `await tracker.flush()` (which returns at once while a drain is already running; the harness waits on the sink).';

const SCHEMA = "iglu:com.example/order_completed/jsonschema/1-0-0";

export async function create({ host }) {
  const { newTracker, buildSelfDescribingEvent } = await import("@snowplow/node-tracker");
  const { newInMemoryEventStore } = await import("@snowplow/tracker-core");
  let errors = 0;
  const tracker = newTracker(
    { namespace: "bench", appId: "bench" },
    {
      endpoint: host,
      eventStore: newInMemoryEventStore({ maxSize: 200000 }),
      onRequestFailure: () => {
        errors++;
      },
    },
  );
  void EVENT;
  return {
    track(i) {
      tracker.setUserId(userIdFor(i));
      tracker.track(buildSelfDescribingEvent({ event: { schema: SCHEMA, data: propertiesFor(i) } }));
    },
    async finish() {
      await tracker.flush();
      return { errors };
    },
  };
}
