// Coming from @segment/analytics-node really is a find-and-replace: a script written
// for Segment's SDK runs with only its import changed, against a loopback collector.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Analytics } from "../../src/index.js";
import { runNode } from "../helpers/run-node.js";
import { startLoopback, type Loopback } from "./loopback.js";

const ROOT = resolve(__dirname, "../..");

// Written against @segment/analytics-node's documented API: its constructor options,
// object-shaped calls, the `error` event and `closeAndFlush({ timeout })`.
const SEGMENT_SCRIPT = `import { Analytics } from "@segment/analytics-node";

const analytics = new Analytics({
  writeKey: process.env.SEGMENT_WRITE_KEY,
  host: process.env.SEGMENT_HOST,
  path: "/v1/batch",
  maxEventsInBatch: 15,
  flushInterval: 10000,
  httpRequestTimeout: 5000,
  maxRetries: 3,
  disable: false,
});
analytics.on("error", (err) => console.error("analytics error", err));

analytics.identify({ userId: "user_1", traits: { name: "Ada Lovelace", email: "ada@example.com", plan: "pro" } });
for (let i = 0; i < 18; i++) {
  analytics.track({ userId: "user_1", event: "Item Purchased", properties: { revenue: 39.95, shippingMethod: "2-day", index: i } });
}
analytics.track({
  anonymousId: "507f191e810c19729de860ea",
  event: "Signed Up",
  properties: { plan: "Pro Annual" },
  context: { ip: "203.0.113.7" },
  timestamp: new Date("2026-01-02T03:04:05.000Z"),
  integrations: { All: true },
  messageId: "segment-style-id-1",
});
analytics.page({ userId: "user_1", category: "Docs", name: "Node.js Library", properties: { url: "https://example.com/docs" } });
analytics.group({ userId: "user_1", groupId: "0e8c78ea9d97a7b8185e8632", traits: { name: "Initech", industry: "Technology" } });
analytics.alias({ userId: "user_1", previousId: "507f191e810c19729de860ea" });

await analytics.closeAndFlush({ timeout: 5000 });
console.log("done");
`;

let loopback: Loopback | undefined;
afterEach(async () => {
  await loopback?.close();
  loopback = undefined;
});

beforeAll(() => {
  if (!existsSync(resolve(ROOT, "dist/index.js")))
    throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
});

describe("a script written for @segment/analytics-node", () => {
  it("runs unchanged after replacing the import, and delivers every call in Segment's wire format", async () => {
    loopback = await startLoopback();
    const script = SEGMENT_SCRIPT.replace('from "@segment/analytics-node"', 'from "threadline"');
    // Exactly one line changed.
    expect(script.split("\n").filter((line, i) => line !== SEGMENT_SCRIPT.split("\n")[i])).toEqual([
      'import { Analytics } from "threadline";',
    ]);

    // From the repository root, "threadline" resolves to this package (self-reference), as an installed dependency would.
    const {
      code,
      stdout: out,
      stderr: err,
    } = await runNode(
      ["--input-type=module", "-e", script],
      { SEGMENT_WRITE_KEY: "seg_wk", SEGMENT_HOST: loopback.url },
      { cwd: ROOT },
    );
    expect({ code, out: out.trim(), err }).toEqual({ code: 0, out: "done", err: "" });

    const messages = loopback.requests.flatMap((r) => r.batch);
    expect(messages).toHaveLength(23);
    expect(messages.map((m) => m.type).filter((t, i, all) => all.indexOf(t) === i)).toEqual([
      "identify",
      "track",
      "page",
      "group",
      "alias",
    ]);
    // maxEventsInBatch is both "send at" and "at most per request", as in Segment's SDK.
    expect(Math.max(...loopback.requests.map((r) => r.batch.length))).toBe(15);
    expect(loopback.requests[0].headers.authorization).toBe("Basic " + Buffer.from("seg_wk:").toString("base64"));
    expect(messages.find((m) => m.messageId === "segment-style-id-1")).toMatchObject({
      type: "track",
      anonymousId: "507f191e810c19729de860ea",
      event: "Signed Up",
      timestamp: "2026-01-02T03:04:05.000Z",
      context: { ip: "203.0.113.7", library: { name: "threadline" } },
      integrations: { All: true },
    });
    expect(messages.find((m) => m.type === "alias")).toMatchObject({
      userId: "user_1",
      previousId: "507f191e810c19729de860ea",
    });
  });
});

describe("Segment's option names", () => {
  it("maxEventsInBatch sets flushAt and maxBatchSize; httpRequestTimeout sets timeoutMs", () => {
    const analytics = new Analytics({
      host: "http://127.0.0.1:1",
      maxEventsInBatch: 15,
      httpRequestTimeout: 5000,
      disable: true,
    });
    expect(analytics.options).toMatchObject({ flushAt: 15, maxBatchSize: 15, timeoutMs: 5000 });
  });

  it("the options they stand for win when both are given", () => {
    const analytics = new Analytics({
      host: "http://127.0.0.1:1",
      maxEventsInBatch: 15,
      flushAt: 5,
      httpRequestTimeout: 5000,
      timeoutMs: 100,
      disable: true,
    });
    expect(analytics.options).toMatchObject({ flushAt: 5, maxBatchSize: 15, timeoutMs: 100 });
  });

  it("are checked like the options they stand for", () => {
    expect(() => new Analytics({ host: "http://127.0.0.1:1", maxEventsInBatch: 0 })).toThrow(
      /`flushAt` must be a finite number >= 1/,
    );
    expect(() => new Analytics({ host: "http://127.0.0.1:1", httpRequestTimeout: "5s" as unknown as number })).toThrow(
      /`httpRequestTimeout`.*must be a finite number/,
    );
  });

  it("the production no-host error says how to point at Segment", () => {
    const saved = { NODE_ENV: process.env.NODE_ENV, THREADLINE_HOST: process.env.THREADLINE_HOST };
    process.env.NODE_ENV = "production";
    delete process.env.THREADLINE_HOST;
    try {
      expect(() => new Analytics({ writeKey: "k" })).toThrow(/host: "https:\/\/api\.segment\.io"/);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});
