// Each test pins a bug found in review; the name says which.
import { afterEach, describe, expect, it } from "vitest";
import { Analytics, type ThreadlineError } from "../../src/index.js";
import { startTestCollector, waitFor, type TestCollector } from "../helpers/collector.js";

let collector: TestCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

describe("regressions", () => {
  it("an error listener added right after a bad call still hears it (README quick start order)", async () => {
    const analytics = new Analytics({ disable: true });
    analytics.track({ userId: "u" } as never);
    const heard: string[] = [];
    analytics.on("error", (error) => heard.push(error.code));
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(heard).toEqual(["invalid_message"]);
  });

  it("a throwing error listener never throws into the call that was refused, nor later as an uncaught exception", async () => {
    const analytics = new Analytics({ disable: true });
    analytics.on("error", () => {
      throw new Error("listener bug");
    });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.prependListener("uncaughtException", onUncaught);
    try {
      expect(() => analytics.track({ userId: "u" } as never)).not.toThrow();
      // The listener's own error is reported on stderr (listener-safety.test.ts), not rethrown.
      await new Promise((resolve) => setTimeout(resolve, 20));
    } finally {
      process.off("uncaughtException", onUncaught);
    }
    expect(uncaught).toEqual([]);
  });

  it("flushAt above maxBatchSize sends everything queued, not one batch then a wait for the interval", async () => {
    collector = await startTestCollector();
    const analytics = new Analytics({ host: collector.url, flushAt: 250, maxBatchSize: 100, flushInterval: 60_000 });
    for (let i = 0; i < 250; i++) analytics.track({ event: "E", userId: "u" });
    await waitFor(() => collector!.deliveredIds.length === 250, 3000, "all 250 to leave without flush()");
    expect(collector.requests.map((r) => r.body.batch.length)).toEqual([100, 100, 50]);
    await analytics.close();
  });

  it("a missing field is named as missing, not as 'undefined undefined'", async () => {
    const analytics = new Analytics({ disable: true });
    const errors: ThreadlineError[] = [];
    analytics.on("error", (error) => errors.push(error));
    analytics.track({ userId: "u" } as never);
    analytics.track(undefined as never);
    analytics.track({ userId: "u", event: "E", timestamp: new Date("nope") });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(errors.map((e) => e.message)).toEqual([
      "track() needs `event`, a non-empty string; got nothing",
      "track() takes one object such as { userId, ... }, got nothing",
      "`timestamp` must be a valid time, got an Invalid Date",
    ]);
  });

  it("queue_overflow with a healthy collector says a burst can cause it and points to flush()", async () => {
    collector = await startTestCollector();
    const analytics = new Analytics({ host: collector.url, maxQueueSize: 100 });
    const errors: ThreadlineError[] = [];
    analytics.on("error", (error) => errors.push(error));
    for (let i = 0; i < 150; i++) analytics.track({ event: "E", userId: "u" });
    await analytics.flush();
    expect(errors).toHaveLength(1);
    expect(errors[0].code).toBe("queue_overflow");
    expect(errors[0].message).toContain("synchronous burst");
    expect(errors[0].message).toContain("await flush()");
    await analytics.close();
  });
});
