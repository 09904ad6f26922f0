import { afterEach, describe, expect, it } from "vitest";
import { Analytics, type DropEvent } from "../../src/index.js";
import { freePort, startTestCollector, type TestCollector } from "../helpers/collector.js";

let collector: TestCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

describe("under load", () => {
  it("delivers every messageId of 10 000 events through a collector failing a third of requests at random", async () => {
    // Seeded so a failure is reproducible: the same requests fail on every run.
    let seed = 42;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    collector = await startTestCollector(() => (random() < 1 / 3 ? { status: 503 } : { status: 200 }));
    const analytics = new Analytics({
      host: collector.url,
      minRetryDelay: 5,
      maxRetryDelay: 50,
      maxRetries: 20,
      maxQueueSize: 20_000,
    });
    const sent: string[] = [];
    for (let i = 0; i < 10_000; i++) {
      const messageId = `msg-${i}`;
      sent.push(messageId);
      analytics.track({ event: "Chaos", userId: `u${i % 50}`, messageId, properties: { i } });
    }
    const result = await analytics.close({ timeoutMs: 25_000 });
    expect(result).toEqual({ delivered: 10_000, failed: 0, dropped: 0, pending: 0 });
    const failedRequests =
      collector.requests.length - new Set(collector.requests.map((r) => r.body.batch[0].messageId)).size;
    expect(failedRequests).toBeGreaterThan(10);
    const unique = new Set(collector.deliveredIds);
    expect(unique.size).toBe(10_000);
    for (const id of sent) expect(unique.has(id)).toBe(true);
    // Each accepted batch was accepted once: nothing is delivered twice.
    expect(collector.deliveredIds).toHaveLength(10_000);
  }, 40_000);

  it("holds at most maxQueueSize with the collector down and reports exactly 49 000 drops of 50 000", async () => {
    const port = await freePort();
    const analytics = new Analytics({
      host: `http://127.0.0.1:${port}`,
      maxQueueSize: 1000,
      minRetryDelay: 5_000,
      maxRetryDelay: 5_000,
    });
    const drops: DropEvent[] = [];
    const overflowErrors: number[] = [];
    analytics.on("drop", (event) => drops.push(event));
    analytics.on("error", (error) => {
      if (error.code === "queue_overflow") overflowErrors.push(error.messageIds?.length ?? 0);
    });
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    const payload = { orderId: "o-123", total: 42.5, currency: "EUR", items: ["a", "b", "c"], note: "x".repeat(200) };
    for (let i = 0; i < 50_000; i++) {
      analytics.track({ event: "Order Completed", userId: `u${i}`, properties: payload });
      if (i % 10_000 === 0) expect(analytics.pending).toBeLessThanOrEqual(1000);
    }
    expect(analytics.pending).toBe(1000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const dropped = drops.reduce((sum, event) => sum + event.count, 0);
    expect(dropped).toBe(49_000);
    expect(drops.every((event) => event.reason === "queue_overflow" && event.messageIds.length === event.count)).toBe(
      true,
    );
    expect(overflowErrors.reduce((a, b) => a + b, 0)).toBe(49_000);
    // 1000 held messages of ~450 bytes: far below what 50 000 would take (> 20 MB as JSON alone).
    global.gc?.();
    const grown = process.memoryUsage().heapUsed - heapBefore;
    expect(grown).toBeLessThan(15 * 1024 * 1024);
    const result = await analytics.close({ timeoutMs: 200 });
    expect(result.dropped).toBe(49_000);
    expect(result.delivered).toBe(0);
    expect(result.failed).toBe(1000);
  });
});
