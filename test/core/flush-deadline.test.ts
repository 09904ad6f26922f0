// flush({ timeoutMs }): a serverless handler must not hang for minutes because the
// collector is down. The deadline resolves the flush; it does not abandon the messages.
import { afterEach, describe, expect, it } from "vitest";
import { Analytics, type FlushResult } from "../../src/index.js";
import { freePort } from "../helpers/collector.js";
import { startLoopback, type Loopback } from "./loopback.js";

let loopback: Loopback | undefined;
let analytics: Analytics | undefined;
afterEach(async () => {
  await analytics?.close({ timeoutMs: 1000 });
  analytics = undefined;
  await loopback?.close();
  loopback = undefined;
});

/** Rejects if `promise` has not settled within `guardMs`: a generous bound, not a timing claim. */
function within<T>(promise: Promise<T>, guardMs: number): Promise<T> {
  let timer: NodeJS.Timeout;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not settled within the ${guardMs} ms guard`)), guardMs);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

const total = (r: FlushResult) => r.delivered + r.failed + r.dropped + r.pending;

describe("flush({ timeoutMs })", () => {
  it("resolves by its deadline with the collector refusing connections, and a later flush delivers what was pending", async () => {
    const port = await freePort();
    // Retries that never run out, so only the deadline can end the first flush.
    analytics = new Analytics({
      host: `http://127.0.0.1:${port}`,
      writeKey: "k",
      maxRetries: 1000,
      minRetryDelay: 20,
      maxRetryDelay: 100,
    });
    analytics.on("error", () => {});
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(`m-${i}`);
      analytics.track({ event: "Order Completed", userId: "u", messageId: `m-${i}` });
    }
    const first = await within(analytics.flush({ timeoutMs: 500 }), 3000);
    expect(first).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 5 });
    // Not abandoned: still held, still being retried.
    expect(analytics.pending).toBe(5);

    loopback = await startLoopback({ port });
    const second = await within(analytics.flush(), 5000);
    expect(second).toEqual({ delivered: 5, failed: 0, dropped: 0, pending: 0 });
    expect([...new Set(loopback.deliveredIds)].sort()).toEqual(ids);
  });

  it("counts what settled before the deadline and what did not, adding up to the messages it covers", async () => {
    // The first batch is answered, the second hangs until the request times out much later.
    loopback = await startLoopback({ answer: (_request, index) => (index === 0 ? { status: 200 } : "hang") });
    analytics = new Analytics({
      host: loopback.url,
      writeKey: "k",
      maxBatchSize: 3,
      concurrency: 1,
      timeoutMs: 20_000,
    });
    for (let i = 0; i < 5; i++) analytics.track({ event: "E", userId: "u" });
    const result = await within(analytics.flush({ timeoutMs: 400 }), 3000);
    expect(result).toEqual({ delivered: 3, failed: 0, dropped: 0, pending: 2 });
    expect(total(result)).toBe(5);
  });

  it("resolves as soon as everything is delivered, with pending 0, well before a long deadline", async () => {
    loopback = await startLoopback();
    analytics = new Analytics({ host: loopback.url, writeKey: "k" });
    analytics.track({ event: "E", userId: "u" });
    expect(await within(analytics.flush({ timeoutMs: 60_000 }), 3000)).toEqual({
      delivered: 1,
      failed: 0,
      dropped: 0,
      pending: 0,
    });
  });

  it("rejects a deadline that is not a number >= 0 with code config", async () => {
    analytics = new Analytics({ host: "http://127.0.0.1:1", writeKey: "k" });
    await expect(analytics.flush({ timeoutMs: -1 })).rejects.toMatchObject({ code: "config" });
    await expect(analytics.flush({ timeoutMs: "soon" as unknown as number })).rejects.toMatchObject({ code: "config" });
  });
});

describe("closeAndFlush({ timeout })", () => {
  it("is close() under Segment's name: flushes, then refuses later calls with `closed`", async () => {
    loopback = await startLoopback();
    analytics = new Analytics({ host: loopback.url, writeKey: "k" });
    analytics.track({ event: "Last", userId: "u" });
    expect(await analytics.closeAndFlush({ timeout: 2000 })).toEqual({
      delivered: 1,
      failed: 0,
      dropped: 0,
      pending: 0,
    });
    const codes: string[] = [];
    analytics.on("error", (error) => codes.push(error.code));
    analytics.track({ event: "Late", userId: "u" });
    await new Promise((resolve) => setImmediate(resolve));
    expect(codes).toEqual(["closed"]);
  });

  it("gives up at `timeout` with the collector never answering, counting the rest as failed", async () => {
    loopback = await startLoopback({ answer: () => "hang" });
    analytics = new Analytics({ host: loopback.url, writeKey: "k" });
    analytics.on("error", () => {});
    analytics.track({ event: "E", userId: "u" });
    expect(await within(analytics.closeAndFlush({ timeout: 300 }), 3000)).toEqual({
      delivered: 0,
      failed: 1,
      dropped: 0,
      pending: 0,
    });
  });
});
