import { afterEach, describe, expect, it } from "vitest";
import { Analytics, type ErrorCode, type ThreadlineError } from "../../src/index.js";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";

let collector: TestCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

const circular: Record<string, unknown> = { a: 1 };
circular.self = circular;
const deep: Record<string, unknown> = {};
let cursor = deep;
for (let i = 0; i < 100; i++) cursor = (cursor.next = {}) as Record<string, unknown>;
const throwsOnJson = {
  toJSON() {
    throw new Error("boom");
  },
};

type Call = [method: "track" | "identify" | "page" | "screen" | "group" | "alias", input: unknown];
const BAD: Array<{ name: string; call: Call; code: ErrorCode; mentions: string | RegExp }> = [
  { name: "not an object", call: ["track", "Signed Up"], code: "invalid_message", mentions: "takes one object" },
  { name: "null", call: ["track", null], code: "invalid_message", mentions: "takes one object" },
  { name: "an array", call: ["identify", [{ userId: "u" }]], code: "invalid_message", mentions: "array" },
  { name: "no ids", call: ["track", { event: "E" }], code: "invalid_message", mentions: "userId` or `anonymousId" },
  {
    name: "empty-string ids",
    call: ["track", { event: "E", userId: "", anonymousId: "" }],
    code: "invalid_message",
    mentions: "userId` or `anonymousId",
  },
  {
    name: "object userId",
    call: ["track", { event: "E", userId: { id: 1 } }],
    code: "invalid_message",
    mentions: "userId",
  },
  {
    name: "NaN anonymousId",
    call: ["page", { anonymousId: Number.NaN }],
    code: "invalid_message",
    mentions: "anonymousId",
  },
  { name: "track without event", call: ["track", { userId: "u" }], code: "invalid_message", mentions: "event" },
  {
    name: "track with a numeric event",
    call: ["track", { userId: "u", event: 5 }],
    code: "invalid_message",
    mentions: "event",
  },
  { name: "group without groupId", call: ["group", { userId: "u" }], code: "invalid_message", mentions: "groupId" },
  {
    name: "alias without previousId",
    call: ["alias", { userId: "u" }],
    code: "invalid_message",
    mentions: "previousId",
  },
  {
    name: "alias without userId",
    call: ["alias", { previousId: "a" }],
    code: "invalid_message",
    mentions: "previousId",
  },
  {
    name: "properties as an array",
    call: ["track", { userId: "u", event: "E", properties: [1] }],
    code: "invalid_message",
    mentions: "properties",
  },
  {
    name: "traits as a string",
    call: ["identify", { userId: "u", traits: "vip" }],
    code: "invalid_message",
    mentions: "traits",
  },
  {
    name: "context as a Map",
    call: ["track", { userId: "u", event: "E", context: new Map() }],
    code: "invalid_message",
    mentions: "context",
  },
  {
    name: "circular properties",
    call: ["track", { userId: "u", event: "E", properties: circular }],
    code: "invalid_message",
    mentions: "circular",
  },
  {
    name: "BigInt property",
    call: ["track", { userId: "u", event: "E", properties: { total: 10n } }],
    code: "invalid_message",
    mentions: "BigInt",
  },
  {
    name: "function trait",
    call: ["identify", { userId: "u", traits: { fn: () => 1 } }],
    code: "invalid_message",
    mentions: "function",
  },
  {
    name: "symbol in an array",
    call: ["track", { userId: "u", event: "E", properties: { list: [1, Symbol("s")] } }],
    code: "invalid_message",
    mentions: "properties.list[1]",
  },
  {
    name: "absurd nesting",
    call: ["track", { userId: "u", event: "E", properties: deep }],
    code: "invalid_message",
    mentions: "nested deeper",
  },
  {
    name: "a throwing toJSON",
    call: ["track", { userId: "u", event: "E", properties: { x: throwsOnJson } }],
    code: "invalid_message",
    mentions: "boom",
  },
  {
    name: "an invalid Date",
    call: ["track", { userId: "u", event: "E", timestamp: new Date("nope") }],
    code: "invalid_message",
    mentions: "timestamp",
  },
  {
    name: "an unparseable timestamp",
    call: ["track", { userId: "u", event: "E", timestamp: "yesterday-ish" }],
    code: "invalid_message",
    mentions: "timestamp",
  },
  {
    name: "an empty messageId",
    call: ["track", { userId: "u", event: "E", messageId: "" }],
    code: "invalid_message",
    mentions: "messageId",
  },
  // The message says the size and the limit in bytes: 1 MiB of "x" plus the envelope, against 32768.
  {
    name: "a 1 MB string",
    call: ["track", { userId: "u", event: "E", properties: { blob: "x".repeat(1024 * 1024) } }],
    code: "message_too_large",
    mentions: /is 10\d{5} bytes, more than maxMessageBytes \(32768 bytes\)/,
  },
  // 20 000 × "é" is 40 000 bytes of UTF-8 (the walk's character count alone would not say so).
  {
    name: "40 KB of multibyte text",
    call: ["track", { userId: "u", event: "E", properties: { text: "é".repeat(20_000) } }],
    code: "message_too_large",
    mentions: /is 40\d{3} bytes, more than maxMessageBytes \(32768 bytes\)/,
  },
];

describe("bad input", () => {
  it.each(BAD)(
    "$name → $code, reported to the callback and the error event, nothing sent",
    async ({ call, code, mentions }) => {
      collector = await startTestCollector();
      const analytics = new Analytics({ host: collector.url, flushAt: 1 });
      const errors: ThreadlineError[] = [];
      analytics.on("error", (error) => errors.push(error));
      let callbackError: ThreadlineError | undefined;
      let callbacks = 0;
      const [method, input] = call;
      expect(() =>
        (analytics[method] as (input: unknown, cb: (err?: ThreadlineError) => void) => void)(input, (err) => {
          callbacks++;
          callbackError = err;
        }),
      ).not.toThrow();
      await analytics.flush();
      expect(callbacks).toBe(1);
      expect(callbackError?.code).toBe(code);
      expect(callbackError?.name).toBe("ThreadlineError");
      if (typeof mentions === "string") expect(callbackError?.message).toContain(mentions);
      else expect(callbackError?.message).toMatch(mentions);
      expect(errors).toEqual([callbackError]);
      expect(collector.requests).toHaveLength(0);
      await analytics.close();
    },
  );

  it("delivers the good calls around a run of bad ones, in order", async () => {
    collector = await startTestCollector();
    const analytics = new Analytics({ host: collector.url, flushAt: 100 });
    const codes: string[] = [];
    analytics.on("error", (error) => codes.push(error.code));
    analytics.track({ event: "Good 1", userId: "u" });
    for (const { call } of BAD) (analytics[call[0]] as (input: unknown) => void)(call[1]);
    analytics.track({ event: "Good 2", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 2, failed: 0, dropped: 0, pending: 0 });
    expect(collector.requests.flatMap((r) => r.body.batch.map((m) => m.event))).toEqual(["Good 1", "Good 2"]);
    expect(codes).toEqual(BAD.map((row) => row.code));
  });

  it("accepts the edge values that are valid: numeric ids, epoch and string timestamps, Dates and null in properties", async () => {
    collector = await startTestCollector();
    const analytics = new Analytics({ host: collector.url, flushAt: 100 });
    analytics.on("error", (error) => {
      throw error;
    });
    analytics.track({
      event: "E",
      userId: 0,
      properties: { when: new Date(0), nothing: null, nan: Number.NaN, missing: undefined },
    });
    analytics.page({ anonymousId: "a", timestamp: "2026-01-02T03:04:05Z" });
    analytics.group({ anonymousId: "a", groupId: 7 });
    expect(await analytics.flush()).toEqual({ delivered: 3, failed: 0, dropped: 0, pending: 0 });
    const [track, page, group] = collector.requests[0].body.batch;
    expect(track.userId).toBe("0");
    expect(track.properties).toEqual({ when: "1970-01-01T00:00:00.000Z", nothing: null, nan: null });
    expect(page.timestamp).toBe("2026-01-02T03:04:05.000Z");
    expect(group.groupId).toBe("7");
  });

  it("without an error listener, warns on stderr (rate-limited) instead of crashing", async () => {
    const writes: string[] = [];
    const original = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => {
      writes.push(String(chunk));
      return true;
    }) as typeof process.stderr.write;
    try {
      const analytics = new Analytics({ host: "http://127.0.0.1:9", flushAt: 1 });
      for (let i = 0; i < 100; i++) analytics.track({ event: "", userId: "u" });
      await analytics.close({ timeoutMs: 100 });
    } finally {
      process.stderr.write = original;
    }
    const lines = writes.filter((line) => line.includes("invalid_message"));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^threadline: invalid_message: track\(\) needs `event`/);
  });
});
