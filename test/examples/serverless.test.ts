// examples/serverless: a handler that tracks and then awaits flush(), invoked many times in
// one process. Every event of every invocation must reach the collector, and already by
// the time that invocation returns (a frozen or recycled function gets no second chance).
import { afterAll, describe, expect, test } from "vitest";
import { freePort } from "../helpers/collector.js";
import { eventsIn, spawnNode, testCollector } from "./helpers.js";

const INVOCATIONS = 50;
let client: { close(options?: { timeoutMs?: number }): Promise<unknown> } | undefined;
const savedHost = process.env.THREADLINE_HOST;
afterAll(async () => {
  await client?.close({ timeoutMs: 1000 });
  if (savedHost === undefined) delete process.env.THREADLINE_HOST;
  else process.env.THREADLINE_HOST = savedHost;
});

/** Each order's events, keyed by orderId: exactly one identify and one track each. */
function byOrder(events: Array<Record<string, any>>) {
  const orders = new Map<string, string[]>();
  for (const event of events) {
    const orderId = event.type === "track" ? event.properties.orderId : event.traits.lastOrderId;
    orders.set(orderId, [...(orders.get(orderId) ?? []), event.type === "track" ? event.event : event.type].sort());
  }
  return orders;
}
const expectedOrders = () =>
  new Map(Array.from({ length: INVOCATIONS }, (_, i) => [`order_${i + 1}`, ["Order Completed", "identify"]]));

describe("examples/serverless", () => {
  test("each invocation's events are at the collector when the handler returns", async () => {
    const collector = await testCollector();
    // The handler's client reads THREADLINE_HOST at module load, as at a cold start.
    process.env.THREADLINE_HOST = collector.url;
    const mod = await import("../../examples/serverless/handler.mjs");
    client = mod.analytics;

    for (let i = 1; i <= INVOCATIONS; i++) {
      const answer = await mod.handler({ userId: `user_${i % 3}`, orderId: `order_${i}`, total: i });
      expect(answer.statusCode).toBe(200);
      // Not "eventually": right now, before the next invocation could run.
      expect((await eventsIn(collector)).length).toBe(2 * i);
    }
    const events = await eventsIn(collector);
    expect(byOrder(events)).toEqual(expectedOrders());
    expect(events.find((e) => e.properties?.orderId === "order_7")).toMatchObject({
      userId: "user_1",
      properties: { total: 7, currency: "EUR" },
    });

    // A bad event is answered 400 and tracks nothing.
    expect((await mod.handler({ orderId: "order_x" })).statusCode).toBe(400);
    expect((await eventsIn(collector)).length).toBe(2 * INVOCATIONS);
  });

  test("run.mjs invokes the handler 50 times in one process and every event reaches the collector", async () => {
    const collector = await testCollector();
    const run = spawnNode(["examples/serverless/run.mjs", String(INVOCATIONS)], { THREADLINE_HOST: collector.url });
    const { code } = await run.exit(15_000);
    expect({ code, stderr: run.stderr() }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout()).toContain(
      `${INVOCATIONS} invocations, ${2 * INVOCATIONS} events tracked; the collector holds ${2 * INVOCATIONS} new events`,
    );
    expect(byOrder(await eventsIn(collector))).toEqual(expectedOrders());
  });

  test("run.mjs on its own starts a collector, checks each invocation, and exits", async () => {
    const run = spawnNode(["examples/serverless/run.mjs", "5"], { THREADLINE_HOST: "" });
    const { code } = await run.exit(15_000);
    expect({ code, stderr: run.stderr() }).toEqual({ code: 0, stderr: "" });
    expect(run.stdout()).toContain("5 invocations, 10 events tracked; the collector holds 10 new events");
  });

  test("with the collector down each invocation still answers by its flush deadline, and the held events arrive once it is back", async () => {
    const port = await freePort();
    // A warm container whose collector is down for the first invocation and then comes back.
    const script = `import { mkdtempSync } from "node:fs";
      import { tmpdir } from "node:os";
      import { join } from "node:path";
      import { startCollector } from "threadline/dev";
      const { handler } = await import("./examples/serverless/handler.mjs");
      const took = [];
      const invoke = async (i) => {
        const started = Date.now();
        const answer = await handler({ userId: "user_1", orderId: "order_" + i, total: i });
        if (answer.statusCode !== 200) throw new Error("answered " + answer.statusCode);
        took.push(Date.now() - started);
      };
      await invoke(1);
      const collector = await startCollector({ port: ${port}, dataFile: join(mkdtempSync(join(tmpdir(), "tl-sls-")), "e.ndjson"), quiet: true });
      const held = async () => (await (await fetch(collector.url + "/dev/events")).json()).events.length;
      let i = 1;
      while ((await held()) < 2 * i && i < 12) await invoke(++i);
      console.log(JSON.stringify({ invocations: i, held: await held(), took }));
      await collector.close();
      process.exit(0);`;
    const run = spawnNode(["--input-type=module", "-e", script], {
      THREADLINE_HOST: `http://127.0.0.1:${port}`,
      THREADLINE_WRITE_KEY: "k",
      FLUSH_DEADLINE_MS: "800",
    });
    const { code } = await run.exit(25_000);
    expect(code).toBe(0);
    const { invocations, held, took } = JSON.parse(run.stdout());
    // Every invocation answered; none waited out the retries (the guard is generous, not a timing claim).
    expect(took.length).toBe(invocations);
    expect(Math.max(...took)).toBeLessThan(3000);
    // The first invocation's events were held, not lost: all of them reached the collector.
    expect(held).toBe(2 * invocations);
    expect(run.stderr()).toMatch(/threadline: 0 failed, 0 dropped, 2 pending for the next invocation/);
  });
});
