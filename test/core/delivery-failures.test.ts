import http from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { Analytics, ThreadlineError, type RetryEvent } from "../../src/index.js";
import { freePort, startTestCollector, waitFor, type TestCollector } from "../helpers/collector.js";

let collector: TestCollector | undefined;
const clients: Analytics[] = [];
function client(host: string, options: ConstructorParameters<typeof Analytics>[0] = {}): Analytics {
  const analytics = new Analytics({ host, minRetryDelay: 20, maxRetryDelay: 200, ...options });
  clients.push(analytics);
  return analytics;
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((analytics) => analytics.close({ timeoutMs: 500 })));
  await collector?.close();
  collector = undefined;
});

describe("retries against a real loopback collector", () => {
  it("retries a 500 with the same messageIds and each message is delivered once", async () => {
    collector = await startTestCollector((_req, index) => (index < 2 ? { status: 500 } : { status: 200 }));
    const analytics = client(collector.url, { flushAt: 10 });
    const retries: RetryEvent[] = [];
    analytics.on("retry", (event) => retries.push(event));
    for (let i = 0; i < 10; i++) analytics.track({ event: "E", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 10, failed: 0, dropped: 0, pending: 0 });
    expect(collector.requests).toHaveLength(3);
    const idsPerAttempt = collector.requests.map((r) => r.body.batch.map((m) => m.messageId).join());
    expect(new Set(idsPerAttempt).size).toBe(1);
    expect(collector.deliveredIds).toHaveLength(10);
    expect(retries.map((r) => [r.attempt, r.status, r.count])).toEqual([
      [1, 500, 10],
      [2, 500, 10],
    ]);
    expect(retries[0].error).toBeInstanceOf(ThreadlineError);
    // Not final: a listener must be able to tell a retry from the last word without reading prose.
    expect(retries[0].error.code).toBe("delivery_retry");
  });

  it("honours Retry-After: 1 by waiting about a second", async () => {
    collector = await startTestCollector((_req, index) =>
      index === 0 ? { status: 429, headers: { "retry-after": "1" } } : { status: 200 },
    );
    const analytics = client(collector.url, { flushAt: 1 });
    const delays: number[] = [];
    analytics.on("retry", (event) => delays.push(event.delayMs));
    analytics.track({ event: "E", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(delays).toEqual([1000]);
    const gap = collector.requests[1].at - collector.requests[0].at;
    expect(gap).toBeGreaterThanOrEqual(950);
    expect(gap).toBeLessThan(2500);
  });

  it("does not retry a 400: the batch fails, is reported with its status, and the next batch still goes", async () => {
    collector = await startTestCollector((req) =>
      req.body.batch[0].event === "Bad" ? { status: 400, body: '{"error":"nope"}' } : { status: 200 },
    );
    const analytics = client(collector.url, { flushAt: 1 });
    const errors: ThreadlineError[] = [];
    analytics.on("error", (error) => errors.push(error));
    let callbackError: ThreadlineError | undefined;
    analytics.track({ event: "Bad", userId: "u" }, (err) => (callbackError = err));
    expect(await analytics.flush()).toEqual({ delivered: 0, failed: 1, dropped: 0, pending: 0 });
    analytics.track({ event: "Good", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(collector.requests.filter((r) => r.body.batch[0].event === "Bad")).toHaveLength(1);
    expect(callbackError?.code).toBe("delivery_failed");
    expect(callbackError?.status).toBe(400);
    expect(errors).toHaveLength(1);
    expect(errors[0].status).toBe(400);
    expect(errors[0].message).toContain("400");
    expect(errors[0].messageIds).toHaveLength(1);
  });

  it.each([501, 505])("does not retry %i", async (status) => {
    collector = await startTestCollector(() => ({ status }));
    const analytics = client(collector.url, { flushAt: 1 });
    analytics.on("error", () => {});
    analytics.track({ event: "E", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 0, failed: 1, dropped: 0, pending: 0 });
    expect(collector.requests).toHaveLength(1);
  });

  it("gives up after maxRetries and reports delivery_failed", async () => {
    collector = await startTestCollector(() => ({ status: 503 }));
    const analytics = client(collector.url, { flushAt: 1, maxRetries: 3, minRetryDelay: 1, maxRetryDelay: 5 });
    const errors: ThreadlineError[] = [];
    analytics.on("error", (error) => errors.push(error));
    analytics.track({ event: "E", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 0, failed: 1, dropped: 0, pending: 0 });
    expect(collector.requests).toHaveLength(4);
    expect(errors[0].code).toBe("delivery_failed");
    expect(errors[0].message).toContain("4 attempts");
  });

  it("retries a garbage answer and a dropped connection", async () => {
    collector = await startTestCollector((_req, index) =>
      index === 0 ? "destroy" : index === 1 ? { status: 502, body: "<html>bad gateway" } : { status: 200 },
    );
    const analytics = client(collector.url, { flushAt: 1 });
    analytics.track({ event: "E", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(collector.requests).toHaveLength(3);
  });

  it("recovers once a refused connection starts being accepted", async () => {
    const port = await freePort();
    const analytics = client(`http://127.0.0.1:${port}`, { flushAt: 1, minRetryDelay: 100, maxRetryDelay: 200 });
    let retries = 0;
    analytics.on("retry", () => retries++);
    analytics.track({ event: "Patient", userId: "u" });
    await waitFor(() => retries >= 2, 5000, "two refused attempts");
    // Now bring the collector up on that very port.
    const received: string[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        received.push(...JSON.parse(body).batch.map((m: { event: string }) => m.event));
        res.end("{}");
      });
    });
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
    try {
      expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
      expect(received).toEqual(["Patient"]);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("times out a request that never answers and retries it", async () => {
    collector = await startTestCollector((_req, index) => (index === 0 ? "hang" : { status: 200 }));
    const analytics = client(collector.url, { flushAt: 1, timeoutMs: 200 });
    analytics.track({ event: "E", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(collector.requests).toHaveLength(2);
  });

  it("close({ timeoutMs: 500 }) resolves in time when the collector never answers, counting what was not delivered", async () => {
    collector = await startTestCollector(() => "hang");
    const analytics = client(collector.url, { flushAt: 5, timeoutMs: 60_000 });
    const errors: ThreadlineError[] = [];
    analytics.on("error", (error) => errors.push(error));
    const callbacks: Array<string | undefined> = [];
    for (let i = 0; i < 12; i++) analytics.track({ event: "E", userId: "u" }, (err) => callbacks.push(err?.code));
    const start = Date.now();
    const result = await analytics.close({ timeoutMs: 500 });
    const took = Date.now() - start;
    expect(took).toBeGreaterThanOrEqual(450);
    expect(took).toBeLessThan(1500);
    expect(result).toEqual({ delivered: 0, failed: 12, dropped: 0, pending: 0 });
    expect(callbacks).toEqual(Array(12).fill("delivery_failed"));
    expect(errors.flatMap((e) => e.messageIds ?? [])).toHaveLength(12);
    expect(errors[0].message).toContain("close()");
  });

  it("reports calls after close() with code closed and sends nothing", async () => {
    collector = await startTestCollector();
    const analytics = client(collector.url, { flushAt: 1 });
    await analytics.close();
    const errors: string[] = [];
    analytics.on("error", (error) => errors.push(error.code));
    let callbackCode: string | undefined;
    analytics.track({ event: "Late", userId: "u" }, (err) => (callbackCode = err?.code));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(callbackCode).toBe("closed");
    expect(errors).toEqual(["closed"]);
    expect(collector.requests).toHaveLength(0);
  });

  it("keeps accepting calls while a batch is retrying", async () => {
    let failing = true;
    collector = await startTestCollector(() => (failing ? { status: 503 } : { status: 200 }));
    const analytics = client(collector.url, { flushAt: 1, concurrency: 1, minRetryDelay: 50, maxRetryDelay: 50 });
    analytics.track({ event: "First", userId: "u" });
    await waitFor(() => collector!.requests.length >= 2, 3000, "a retry");
    for (let i = 0; i < 50; i++) analytics.track({ event: "During", userId: "u" });
    expect(analytics.pending).toBe(51);
    failing = false;
    expect(await analytics.flush()).toEqual({ delivered: 51, failed: 0, dropped: 0, pending: 0 });
  });
});
