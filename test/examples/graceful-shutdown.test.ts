// examples/graceful-shutdown: a server that tracks per request and on SIGTERM closes the
// client. With default batching nothing has left before the signal, so every event the
// collector ends up holding was delivered by the shutdown path, including the one of a
// request still running when SIGTERM arrived.
import { describe, expect, test } from "vitest";
import { eventsIn, isListening, spawnNode, testCollector } from "./helpers.js";

describe("examples/graceful-shutdown", () => {
  test("SIGTERM: refuses new connections, finishes the request in flight, delivers every event, exits 0", async () => {
    const collector = await testCollector();
    const server = spawnNode(["examples/graceful-shutdown/server.mjs"], { PORT: "0", THREADLINE_HOST: collector.url });
    const [, url, port] = await server.waitFor(/on (http:\/\/127\.0\.0\.1:(\d+))/);

    const quick = 5;
    for (let i = 0; i < quick; i++) {
      const res = await fetch(`${url}/items/${i}`, { headers: { "x-user-id": `user_${i}` } });
      expect(res.status).toBe(200);
    }
    // Below flushAt (20) and inside flushInterval (10 s): still queued in the server.
    expect(await eventsIn(collector)).toHaveLength(0);

    // A request that is still working when the signal comes.
    const slow = fetch(`${url}/report?ms=400`, { headers: { "x-user-id": "user_slow" } });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const signalled = Date.now();
    server.process.kill("SIGTERM");
    await server.waitFor(/SIGTERM: no new connections/);
    expect(await isListening(Number(port))).toBe(false);

    const answer = await slow;
    expect(answer.status).toBe(200);
    const { code, signal } = await server.exit(5000);
    expect({ code, signal, stderr: server.stderr() }).toEqual({ code: 0, signal: null, stderr: "" });
    // The slow request needed ~300 ms more; the rest is one delivery to a loopback collector.
    expect(Date.now() - signalled).toBeLessThan(2000);

    const events = await eventsIn(collector);
    expect(events.map((e) => [e.userId, e.event, e.properties.path]).sort()).toEqual(
      [
        ...Array.from({ length: quick }, (_, i) => [`user_${i}`, "API Request", `/items/${i}`]),
        ["user_slow", "API Request", "/report"],
      ].sort(),
    );
    expect(server.stdout()).toContain(`analytics closed: ${quick + 1} delivered, 0 failed, 0 dropped`);
  });

  test("SIGTERM with the collector down: close() gives up at its deadline and the process still exits 0", async () => {
    const collector = await testCollector();
    const url = collector.url;
    await collector.close(); // nothing listens there now: every delivery attempt fails and is retried
    const server = spawnNode(["examples/graceful-shutdown/server.mjs"], { PORT: "0", THREADLINE_HOST: url });
    const [, appUrl] = await server.waitFor(/on (http:\/\/127\.0\.0\.1:\d+)/);
    expect((await fetch(`${appUrl}/x`)).status).toBe(200);

    const signalled = Date.now();
    server.process.kill("SIGTERM");
    const { code } = await server.exit(10_000);
    expect(code).toBe(0);
    // Bounded by the example's close({ timeoutMs: 5000 }), not by maxRetries' backoff.
    expect(Date.now() - signalled).toBeLessThan(7000);
    expect(server.stdout()).toContain("analytics closed: 0 delivered, 1 failed, 0 dropped");
  }, 15_000);
});
