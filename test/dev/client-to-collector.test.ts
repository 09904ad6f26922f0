import { describe, expect, it } from "vitest";
import { basic, collector, get } from "./helpers.js";
import { useRealClient } from "./real-client.js";

const send = useRealClient("client");

describe("the threadline client sending to the collector", () => {
  it("delivers every call with a write key and gzip, and the journey stitches", async () => {
    const { url } = await collector({ writeKey: "wk_dev" });
    const result = await send({ host: url, writeKey: "wk_dev", gzip: true, flushAt: 1 }, [
      [
        "page",
        { anonymousId: "a1", name: "Landing", context: { page: { url: "https://x.test/?utm_source=newsletter" } } },
      ],
      ["identify", { userId: "u1", anonymousId: "a1", traits: { plan: "pro" } }],
      ["track", { userId: "u1", event: "Signed Up" }],
      ["alias", { userId: "u1", previousId: "a2" }],
    ]);
    expect(result).toMatchObject({ delivered: 4, failed: 0 });
    // With a write key, reading needs it too.
    const auth = { Authorization: basic("wk_dev") };
    expect((await get(`${url}/dev/events`)).status).toBe(401);
    const events = (await get(`${url}/dev/events`, auth)).body.events;
    expect(events.map((event: { type: string }) => event.type).sort()).toEqual(["alias", "identify", "page", "track"]);
    expect(events[0].context.library.name).toBe("threadline");
    expect((await get(`${url}/dev/rejected`, auth)).body.rejected).toEqual([]);
    const journey = (await get(`${url}/dev/users/u1`, auth)).body;
    expect(journey.anonymousIds.sort()).toEqual(["a1", "a2"]);
    expect(journey.firstTouch.source).toBe("newsletter");
  });

  it("retries through injected 503s with Retry-After, and each message is stored once", async () => {
    const { url } = await collector({ faults: { failRate: 0.5, retryAfter: 0 } });
    const calls = Array.from({ length: 40 }, (_, i): [string, Record<string, unknown>] => [
      "track",
      { anonymousId: "a", event: `E${i}` },
    ]);
    expect(await send({ host: url, flushAt: 5, maxRetries: 30 }, calls)).toMatchObject({ delivered: 40, failed: 0 });
    const names = (await get(`${url}/dev/events`)).body.events.map((event: { event: string }) => event.event);
    expect(names.sort()).toEqual(calls.map(([, args]) => args.event).sort());
  });
});
