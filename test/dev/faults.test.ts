import { describe, expect, it } from "vitest";
import { collector, get, message, post, request } from "./helpers.js";

const oneTrack = () => ({ batch: [message("track", { userId: "u" })] });
const storedCount = async (url: string): Promise<number> => (await get(`${url}/dev/events`)).body.events.length;

describe("fault injection", () => {
  it("a status alone fails every /v1 request with it, before anything is stored", async () => {
    const { url } = await collector({ faults: { status: 500 } });
    for (let i = 0; i < 5; i += 1) {
      const answer = await post(`${url}/v1/batch`, oneTrack());
      expect(answer.status).toBe(500);
      expect(answer.body.error.code).toBe("injected_fault");
      expect(answer.headers.get("retry-after")).toBeNull();
    }
    expect((await post(`${url}/v1/track`, message("track", { userId: "u" }))).status).toBe(500);
    expect(await storedCount(url)).toBe(0);
  });

  it("retryAfter alone answers 503 with the Retry-After header", async () => {
    const { url } = await collector({ faults: { retryAfter: 2 } });
    const answer = await post(`${url}/v1/batch`, oneTrack());
    expect(answer.status).toBe(503);
    expect(answer.headers.get("retry-after")).toBe("2");
    expect(await storedCount(url)).toBe(0);
  });

  it("failRate fails about that share of requests, and only the others are stored", async () => {
    const { url } = await collector({ faults: { failRate: 0.5 } });
    const statuses: number[] = [];
    for (let i = 0; i < 120; i += 1) statuses.push((await post(`${url}/v1/batch`, oneTrack())).status);
    const failed = statuses.filter((status) => status === 503).length;
    const passed = statuses.filter((status) => status === 200).length;
    expect(failed + passed).toBe(120);
    // Binomial(120, 0.5): 35..85 is more than 5 standard deviations wide.
    expect(failed).toBeGreaterThan(35);
    expect(failed).toBeLessThan(85);
    expect(await storedCount(url)).toBe(passed);
  });

  it("failRate 0 with a status never fails", async () => {
    const { url } = await collector({ faults: { failRate: 0, status: 500 } });
    for (let i = 0; i < 10; i += 1) expect((await post(`${url}/v1/batch`, oneTrack())).status).toBe(200);
  });

  it("latency delays every /v1 answer but still stores, and leaves /dev alone", async () => {
    const { url } = await collector({ faults: { latencyMs: 400 } });
    let started = performance.now();
    const answer = await post(`${url}/v1/batch`, oneTrack());
    expect(performance.now() - started).toBeGreaterThanOrEqual(390);
    expect(answer.body.accepted).toBe(1);
    started = performance.now();
    expect(await storedCount(url)).toBe(1);
    // Well under the injected 400 ms, with room for a busy machine.
    expect(performance.now() - started).toBeLessThan(300);
  });

  it("dropConnections destroys the socket: no answer, nothing stored", async () => {
    const { url } = await collector({ faults: { dropConnections: true } });
    await expect(post(`${url}/v1/batch`, oneTrack())).rejects.toThrow();
    await expect(post(`${url}/v1/identify`, message("identify", { userId: "u" }))).rejects.toThrow();
    expect(await storedCount(url)).toBe(0);
  });

  it("leaves every /dev endpoint and the page untouched, even with every fault on", async () => {
    const { url } = await collector({ faults: { failRate: 1, status: 500, retryAfter: 1, dropConnections: true } });
    for (const path of ["/dev/events", "/dev/rejected", "/dev/users", "/"]) {
      expect((await request(`${url}${path}`)).status, path).toBe(200);
    }
    expect((await post(`${url}/dev/reset`, "")).status).toBe(200);
    expect((await get(`${url}/dev/users/nobody`)).status).toBe(404);
  });
});
