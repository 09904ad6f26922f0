import { afterEach, describe, expect, it } from "vitest";
import { Analytics } from "../../src/index.js";
import { startTestCollector, waitFor, type TestCollector } from "../helpers/collector.js";

let collector: TestCollector;
const clients: Analytics[] = [];
function client(options: ConstructorParameters<typeof Analytics>[0]): Analytics {
  const analytics = new Analytics({ host: collector.url, ...options });
  clients.push(analytics);
  return analytics;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((analytics) => analytics.close({ timeoutMs: 1000 })));
  await collector?.close();
});

describe("batching against a real loopback collector", () => {
  it("sends as soon as flushAt messages are queued, gathering a burst into full batches", async () => {
    collector = await startTestCollector();
    const analytics = client({ flushAt: 5, flushInterval: 60_000 });
    for (let i = 0; i < 4; i++) analytics.track({ event: "E", userId: "u", properties: { i } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(collector.requests).toHaveLength(0);
    analytics.track({ event: "E", userId: "u", properties: { i: 4 } });
    await waitFor(() => collector.requests.length === 1, 2000, "the flushAt batch");
    expect(collector.requests[0].body.batch.map((m) => (m.properties as { i: number }).i)).toEqual([0, 1, 2, 3, 4]);

    // A synchronous burst of 250 leaves as batches of maxBatchSize (100), not 50 of 5.
    for (let i = 0; i < 250; i++) analytics.track({ event: "Burst", userId: "u" });
    await waitFor(() => collector.deliveredIds.length === 255, 3000, "the burst");
    const burstSizes = collector.requests.slice(1).map((r) => r.body.batch.length);
    expect(burstSizes).toEqual([100, 100, 50]);
  });

  it("sends a partial batch when flushInterval elapses", async () => {
    collector = await startTestCollector();
    const analytics = client({ flushAt: 100, flushInterval: 200 });
    const start = Date.now();
    analytics.track({ event: "Lonely", userId: "u" });
    await waitFor(() => collector.requests.length === 1, 3000, "the interval batch");
    const waited = collector.requests[0].at - start;
    expect(waited).toBeGreaterThanOrEqual(150);
    expect(waited).toBeLessThan(2000);
    expect(collector.requests[0].body.batch).toHaveLength(1);
  });

  it("never lets a body exceed maxBatchBytes, splitting into as many requests as needed", async () => {
    collector = await startTestCollector();
    const maxBatchBytes = 8 * 1024;
    const analytics = client({ flushAt: 1000, maxBatchBytes, maxMessageBytes: 4096 });
    const text = "x".repeat(1500);
    for (let i = 0; i < 30; i++) analytics.track({ event: "Big", userId: "u", properties: { text, i } });
    const result = await analytics.flush();
    expect(result).toEqual({ delivered: 30, failed: 0, dropped: 0, pending: 0 });
    expect(collector.requests.length).toBeGreaterThan(5);
    for (const request of collector.requests) expect(request.rawBytes).toBeLessThanOrEqual(maxBatchBytes);
    // Order within the stream is preserved.
    const order = collector.requests.flatMap((r) => r.body.batch.map((m) => (m.properties as { i: number }).i));
    expect(order.sort((a, b) => a - b)).toEqual([...Array(30).keys()]);
  });

  it("gzips bodies with gzip: true and the collector reads the same messages", async () => {
    collector = await startTestCollector();
    const analytics = client({ gzip: true, flushAt: 10 });
    for (let i = 0; i < 10; i++)
      analytics.track({ event: "Zipped", userId: "u", properties: { pad: "y".repeat(500) } });
    await analytics.flush();
    expect(collector.requests[0].headers["content-encoding"]).toBe("gzip");
    expect(collector.requests[0].body.batch).toHaveLength(10);
    // 10 × 500 repeated bytes compress far below their raw size.
    expect(collector.requests[0].rawBytes).toBeLessThan(2000);
  });

  it("flushAt: 1 sends each call at once", async () => {
    collector = await startTestCollector();
    const analytics = client({ flushAt: 1 });
    analytics.track({ event: "One", userId: "u" });
    await waitFor(() => collector.requests.length === 1, 2000, "the first request");
    analytics.track({ event: "Two", userId: "u" });
    await waitFor(() => collector.requests.length === 2, 2000, "the second request");
    expect(collector.requests.map((r) => r.body.batch[0].event)).toEqual(["One", "Two"]);
  });
});

describe("flush()", () => {
  it("drains everything accepted before it, across many batches and in-flight requests", async () => {
    collector = await startTestCollector();
    const analytics = client({ flushAt: 20, concurrency: 2 });
    for (let i = 0; i < 1234; i++) analytics.track({ event: "E", userId: "u" });
    const result = await analytics.flush();
    expect(result).toEqual({ delivered: 1234, failed: 0, dropped: 0, pending: 0 });
    expect(new Set(collector.deliveredIds).size).toBe(1234);
    expect(analytics.pending).toBe(0);
  });

  it("gives concurrent flushes each their own correct count", async () => {
    collector = await startTestCollector();
    // Slow answers keep the first flush waiting while more calls and a second flush arrive.
    collector.reply = () => ({ status: 200 });
    const analytics = client({ flushAt: 1000 });
    for (let i = 0; i < 30; i++) analytics.track({ event: "A", userId: "u" });
    const first = analytics.flush();
    for (let i = 0; i < 12; i++) analytics.track({ event: "B", userId: "u" });
    const second = analytics.flush();
    const third = analytics.flush();
    expect(await first).toEqual({ delivered: 30, failed: 0, dropped: 0, pending: 0 });
    expect(await second).toEqual({ delivered: 12, failed: 0, dropped: 0, pending: 0 });
    expect(await third).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 0 });
  });

  it("counts messages that settled before it was called, once", async () => {
    collector = await startTestCollector();
    const analytics = client({ flushAt: 1 });
    analytics.track({ event: "Early", userId: "u" });
    await waitFor(() => collector.deliveredIds.length === 1, 2000, "early delivery");
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(await analytics.flush()).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 0 });
  });

  it("fires each call's callback once it is delivered and emits delivered events", async () => {
    collector = await startTestCollector();
    const analytics = client({ flushAt: 3 });
    const delivered: number[] = [];
    analytics.on("delivered", (event) => {
      expect(event.status).toBe(200);
      expect(event.attempts).toBe(1);
      delivered.push(event.count);
    });
    const outcomes: Array<unknown> = [];
    for (let i = 0; i < 3; i++) analytics.track({ event: "E", userId: "u" }, (err) => outcomes.push(err ?? "ok"));
    await analytics.flush();
    expect(outcomes).toEqual(["ok", "ok", "ok"]);
    expect(delivered).toEqual([3]);
  });
});
