import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Analytics, type ThreadlineError } from "../../src/index.js";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";
import { callSequence, FUZZ_RUNS, FUZZ_SEED, type GeneratedCall } from "../helpers/hostile.js";

// Property: whatever mix of good and hostile calls an app makes, no call throws, every bad
// call gets a coded error through its callback and the error event, every good call
// around them is delivered to a real collector, and every body the collector got parses.

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector.close());

interface Outcome {
  call: GeneratedCall;
  threw: unknown;
  /** Callbacks heard: exactly one per call. */
  settled: number;
  error: ThreadlineError | undefined;
}

async function runSequence(calls: GeneratedCall[]): Promise<void> {
  const analytics = new Analytics({ host: collector.url, flushAt: 5, flushInterval: 50 });
  const heard: ThreadlineError[] = [];
  analytics.on("error", (error) => heard.push(error));
  const outcomes: Outcome[] = calls.map((call) => ({ call, threw: undefined, settled: 0, error: undefined }));
  for (const [index, outcome] of outcomes.entries()) {
    try {
      const input = outcome.call.make();
      (analytics[outcome.call.method] as (input: unknown, cb: (err?: ThreadlineError) => void) => void)(
        input,
        (err) => {
          outcome.settled++;
          outcome.error = err;
          // Every third callback is buggy: that must change no outcome (and surface as no uncaught error).
          if (index % 3 === 2) throw new Error("callback bug");
        },
      );
    } catch (thrown) {
      outcome.threw = thrown;
    }
  }
  const result = await analytics.flush();
  await analytics.close();
  const good = outcomes.filter((outcome) => !outcome.call.bad);
  for (const outcome of outcomes) {
    expect(outcome.threw, `${outcome.call.label} threw`).toBeUndefined();
    expect(outcome.settled, `${outcome.call.label}: callbacks`).toBe(1);
    if (outcome.call.bad) {
      expect(outcome.error?.name, `${outcome.call.label} was accepted`).toBe("ThreadlineError");
      expect(["invalid_message", "message_too_large"], `${outcome.call.label}: ${outcome.error?.message}`).toContain(
        outcome.error?.code,
      );
    } else {
      expect(outcome.error, `${outcome.call.label}: ${outcome.error?.message}`).toBeUndefined();
    }
  }
  expect(result).toEqual({ delivered: good.length, failed: 0, dropped: 0, pending: 0 });
  expect(heard).toHaveLength(outcomes.length - good.length);
}

describe("fuzz: the public calls with hostile input (fast-check)", () => {
  it("no call throws, every bad call gets a coded error, every good call is delivered, every body parses", async () => {
    const before = collector.requests.length;
    let goodTotal = 0;
    await fc.assert(
      fc.asyncProperty(callSequence, async (calls) => {
        goodTotal += calls.filter((call) => !call.bad).length;
        await runSequence(calls);
      }),
      { numRuns: FUZZ_RUNS, seed: FUZZ_SEED, endOnFailure: true },
    );
    // The collector's helper JSON.parses every body it gets; each message is whole.
    const received = collector.requests.slice(before).flatMap((request) => request.body.batch);
    expect(received).toHaveLength(goodTotal);
    for (const message of received) {
      expect(typeof message.messageId).toBe("string");
      expect(Number.isFinite(Date.parse(String(message.timestamp)))).toBe(true);
      expect(message.userId).toMatch(/^user-\d+$/);
    }
    expect(goodTotal).toBeGreaterThan(FUZZ_RUNS / 2);
  });
});
