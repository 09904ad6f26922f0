import { afterEach, describe, expect, it } from "vitest";
import { Analytics, close, flush, init, track, type ErrorCode, type ThreadlineError } from "../../src/index.js";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";

// Every class of hostile input the hardening issue lists, one row each: what it gets
// (a coded error naming the field, or delivery), and that the call itself never throws.

let collector: TestCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

const boom = () => {
  throw new Error("boom");
};
const getterThrows = (): Record<string, unknown> => Object.defineProperty({}, "bad", { enumerable: true, get: boom });
const trapsThrow = (trap: keyof ProxyHandler<object>, target: object = {}) => new Proxy(target, { [trap]: boom });
const revoked = () => {
  const { proxy, revoke } = Proxy.revocable({}, {});
  revoke();
  return proxy;
};
function nested(levels: number, leaf: unknown = 1, asArray = false): unknown {
  let value: unknown = leaf;
  for (let i = 0; i < levels; i++) value = asArray ? [value] : { next: value };
  return value;
}
/** `[1, <hole>, 3]`, built rather than written (a literal hole reads as a typo). */
function holey(): unknown[] {
  const list: unknown[] = [1];
  list[2] = 3;
  return list;
}
class Order {
  constructor(
    readonly sku = "a-1",
    readonly qty = 2,
  ) {}
}
const hostileConstructor = Object.create(Object.defineProperty({}, "constructor", { get: boom }));
const cyclic: Record<string, unknown> = { a: 1 };
cyclic.self = cyclic;
const sparse: unknown[] = [];
sparse.length = 1e9;

const E = { userId: "u", event: "E" };
type Method = "track" | "identify" | "page" | "screen" | "group" | "alias";
type Row = { name: string; method?: Method; input: unknown; code: ErrorCode; mentions: string };

const REFUSED: Row[] = [
  {
    name: "a getter on the call object that throws",
    input: Object.defineProperty({ userId: "u" }, "event", { enumerable: true, get: boom }),
    code: "invalid_message",
    mentions: "`event` (Error: boom)",
  },
  {
    name: "a throwing getter inside properties",
    input: { ...E, properties: { a: { b: getterThrows() } } },
    code: "invalid_message",
    mentions: "properties.a.b.bad cannot be read (Error: boom)",
  },
  {
    name: "a throwing getter inside traits",
    method: "identify",
    input: { userId: "u", traits: { list: [1, getterThrows()] } },
    code: "invalid_message",
    mentions: "traits.list[1].bad",
  },
  {
    name: "a throwing getter inside context",
    input: { ...E, context: { page: getterThrows() } },
    code: "invalid_message",
    mentions: "context",
  },
  {
    name: "a Proxy call object whose get trap throws",
    input: trapsThrow("get", { ...E }),
    code: "invalid_message",
    mentions: "cannot read",
  },
  {
    name: "a Proxy call object whose getPrototypeOf trap throws",
    input: trapsThrow("getPrototypeOf"),
    code: "invalid_message",
    mentions: "cannot read its argument",
  },
  {
    name: "a Proxy in properties whose ownKeys trap throws",
    input: { ...E, properties: { p: trapsThrow("ownKeys") } },
    code: "invalid_message",
    mentions: "properties.p",
  },
  { name: "a revoked Proxy as the call", input: revoked(), code: "invalid_message", mentions: "revoked" },
  {
    name: "a revoked Proxy inside properties",
    input: { ...E, properties: { gone: revoked() } },
    code: "invalid_message",
    mentions: "properties.gone",
  },
  {
    name: "a revoked Proxy as properties",
    input: { ...E, properties: revoked() },
    code: "invalid_message",
    mentions: "`properties`",
  },
  { name: "a class instance as the call", input: new Order(), code: "invalid_message", mentions: "got a Order" },
  {
    name: "a constructor getter that throws while the error is written",
    input: hostileConstructor,
    code: "invalid_message",
    mentions: "takes one object",
  },
  {
    name: "a Map inside properties",
    input: { ...E, properties: { tags: new Map([["a", 1]]) } },
    code: "invalid_message",
    mentions: "properties.tags is a Map",
  },
  {
    name: "a Set inside properties",
    input: { ...E, properties: { tags: new Set([1]) } },
    code: "invalid_message",
    mentions: "properties.tags is a Set",
  },
  {
    name: "a typed array inside properties",
    input: { ...E, properties: { bytes: new Uint8Array(4) } },
    code: "invalid_message",
    mentions: "properties.bytes is binary data",
  },
  {
    name: "a RegExp inside properties",
    input: { ...E, properties: { re: /x/ } },
    code: "invalid_message",
    mentions: "properties.re is a RegExp",
  },
  {
    name: "an Error inside properties",
    input: { ...E, properties: { err: new Error("x") } },
    code: "invalid_message",
    mentions: "properties.err is an Error",
  },
  {
    name: "an Invalid Date inside properties",
    input: { ...E, properties: { when: new Date("x") } },
    code: "invalid_message",
    mentions: "properties.when is an Invalid Date",
  },
  {
    name: "a toJSON that throws",
    input: { ...E, properties: { x: { toJSON: boom } } },
    code: "invalid_message",
    mentions: "properties.x cannot be serialized (Error: boom)",
  },
  {
    name: "a toJSON that returns a BigInt",
    input: { ...E, properties: { x: { toJSON: () => 5n } } },
    code: "invalid_message",
    mentions: "properties.x is a BigInt",
  },
  {
    name: "a toJSON that returns a cycle",
    input: { ...E, properties: { x: { toJSON: () => cyclic } } },
    code: "invalid_message",
    mentions: "properties.x.self refers back",
  },
  {
    name: "timestamp Date.now() * 1e6",
    input: { ...E, timestamp: Date.now() * 1e6 },
    code: "invalid_message",
    mentions: "outside the Date range",
  },
  {
    name: "timestamp 1e16",
    input: { ...E, timestamp: 1e16 },
    code: "invalid_message",
    mentions: "outside the Date range",
  },
  {
    name: "timestamp -1e16",
    input: { ...E, timestamp: -1e16 },
    code: "invalid_message",
    mentions: "outside the Date range",
  },
  { name: "timestamp NaN", input: { ...E, timestamp: Number.NaN }, code: "invalid_message", mentions: "timestamp" },
  {
    name: "timestamp Infinity",
    input: { ...E, timestamp: Number.POSITIVE_INFINITY },
    code: "invalid_message",
    mentions: "timestamp",
  },
  {
    name: "timestamp new Date('x')",
    input: { ...E, timestamp: new Date("x") },
    code: "invalid_message",
    mentions: "Invalid Date",
  },
  {
    name: "timestamp a string that does not parse",
    input: { ...E, timestamp: "next tuesday" },
    code: "invalid_message",
    mentions: "timestamp",
  },
  {
    name: "timestamp a Proxy of a Date",
    input: { ...E, timestamp: new Proxy(new Date(), {}) },
    code: "invalid_message",
    mentions: "`timestamp`",
  },
  { name: "timestamp a BigInt", input: { ...E, timestamp: 10n }, code: "invalid_message", mentions: "timestamp" },
  {
    name: "5 000 levels of objects",
    input: { ...E, properties: nested(5000) as object },
    code: "invalid_message",
    mentions: "nested deeper than 64",
  },
  {
    name: "5 000 levels of arrays",
    input: { ...E, properties: { deep: nested(5000, 1, true) } },
    code: "invalid_message",
    mentions: "nested deeper than 64",
  },
  {
    name: "100 000 levels behind a toJSON",
    input: { ...E, properties: { x: { toJSON: () => nested(100_000) } } },
    code: "invalid_message",
    mentions: "properties.x",
  },
  {
    name: "a 10 MB string in properties",
    input: { ...E, properties: { blob: "x".repeat(10 * 1024 * 1024) } },
    code: "message_too_large",
    mentions: "properties.blob",
  },
  {
    name: "a 10 MB event name",
    input: { userId: "u", event: "x".repeat(10 * 1024 * 1024) },
    code: "message_too_large",
    mentions: "`event`",
  },
  {
    name: "a sparse array of length 1e9",
    input: { ...E, properties: { holes: sparse } },
    code: "message_too_large",
    mentions: "properties.holes",
  },
  {
    name: "a megabyte key holding a BigInt",
    input: { ...E, properties: { ["k".repeat(1 << 20)]: 1n } },
    code: "invalid_message",
    mentions: 'kkkk…"] is a BigInt',
  },
  {
    name: "a BigInt userId",
    input: { event: "E", userId: 5n },
    code: "invalid_message",
    mentions: "`userId` must be a string or number, got bigint 5",
  },
  {
    name: "a symbol userId",
    input: { event: "E", userId: Symbol("id") },
    code: "invalid_message",
    mentions: "`userId`",
  },
  {
    name: "a BigInt in properties",
    input: { ...E, properties: { total: 10n } },
    code: "invalid_message",
    mentions: "properties.total is a BigInt",
  },
  {
    name: "a circular properties object",
    input: { ...E, properties: cyclic },
    code: "invalid_message",
    mentions: "properties.self refers back",
  },
  { name: "no argument", input: undefined, code: "invalid_message", mentions: "got nothing" },
  { name: "null", input: null, code: "invalid_message", mentions: "got null" },
  { name: "a string", input: "Signed Up", code: "invalid_message", mentions: "the string" },
  { name: "a number", input: 42, code: "invalid_message", mentions: "number 42" },
  { name: "an array", input: [E], code: "invalid_message", mentions: "an array" },
  { name: "a function", input: () => E, code: "invalid_message", mentions: "function" },
];

function call(analytics: Analytics, method: Method, input: unknown, ...rest: unknown[]): void {
  (analytics[method] as (...args: unknown[]) => void)(input, ...rest);
}

describe("hostile input: every path from the call object to the queue is total", () => {
  it.each(REFUSED)(
    "$name → $code naming the field; the call does not throw, nothing is sent",
    async ({ method, input, code, mentions }) => {
      collector = await startTestCollector();
      const analytics = new Analytics({ host: collector.url, flushAt: 1 });
      const errors: ThreadlineError[] = [];
      analytics.on("error", (error) => errors.push(error));
      let heard: ThreadlineError | undefined;
      let callbacks = 0;
      expect(() =>
        call(analytics, method ?? "track", input, (err?: ThreadlineError) => {
          callbacks++;
          heard = err;
        }),
      ).not.toThrow();
      expect(await analytics.flush()).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 0 });
      expect(callbacks).toBe(1);
      expect(heard?.code).toBe(code);
      expect(heard?.message).toContain(mentions);
      // Short enough for a log line, whatever the input held.
      expect(heard!.message.length).toBeLessThan(1000);
      expect(errors).toEqual([heard]);
      expect(collector.requests).toHaveLength(0);
      await analytics.close();
    },
  );

  it("the exotic values JSON carries faithfully are accepted and sent as JSON would send them", async () => {
    collector = await startTestCollector();
    const analytics = new Analytics({ host: collector.url, flushAt: 100 });
    analytics.on("error", (error) => expect.unreachable(error.message));
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { userId: "u", event: "Null proto" });
    const withHidden = Object.defineProperty({ shown: 1, [Symbol("s")]: 2 }, "hidden", { value: 3, enumerable: false });
    analytics.track(bare);
    analytics.track({
      ...E,
      properties: {
        order: new Order(),
        when: new Date(0),
        list: holey(),
        buf: Buffer.from("hi"),
        withHidden,
        plain: Object.assign(Object.create(null) as object, { a: 1 }),
        proxied: new Proxy({ a: 1 }, {}),
        fn: { toJSON: () => () => 1 },
      },
      timestamp: 8.64e15,
    });
    expect(await analytics.flush()).toEqual({ delivered: 2, failed: 0, dropped: 0, pending: 0 });
    const [first, second] = collector.requests[0].body.batch;
    expect(first.event).toBe("Null proto");
    expect(second.timestamp).toBe("+275760-09-13T00:00:00.000Z");
    expect(second.properties).toEqual({
      order: { sku: "a-1", qty: 2 },
      when: "1970-01-01T00:00:00.000Z",
      list: [1, null, 3],
      buf: { type: "Buffer", data: [104, 105] },
      withHidden: { shown: 1 },
      plain: { a: 1 },
      proxied: { a: 1 },
    });
    await analytics.close();
  });

  it("extra arguments are ignored, a callback that is not a function is ignored, and a throwing callback changes nothing", async () => {
    collector = await startTestCollector();
    const analytics = new Analytics({ host: collector.url, flushAt: 100 });
    const stderr: string[] = [];
    const write = process.stderr.write;
    process.stderr.write = ((chunk: string) => stderr.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      expect(() => call(analytics, "track", { ...E, event: "extra" }, undefined, "more", 3)).not.toThrow();
      expect(() => call(analytics, "track", { ...E, event: "not a function" }, "callback?")).not.toThrow();
      expect(() => call(analytics, "track", { ...E, event: "throws" }, boom)).not.toThrow();
      expect(() => call(analytics, "track", { userId: "u" }, boom)).not.toThrow();
      expect(await analytics.flush()).toEqual({ delivered: 3, failed: 0, dropped: 0, pending: 0 });
    } finally {
      process.stderr.write = write;
    }
    expect(collector.requests[0].body.batch.map((m) => m.event)).toEqual(["extra", "not a function", "throws"]);
    const threw = stderr.filter((line) => line.includes("a call's callback threw (Error: boom)"));
    expect(threw).toHaveLength(1);
    await analytics.close();
  });

  it("a call made from inside another call's getter is refused; the outer call is delivered", async () => {
    collector = await startTestCollector();
    const analytics = new Analytics({ host: collector.url, flushAt: 100 });
    const codes: string[] = [];
    analytics.on("error", (error) => codes.push(error.message));
    const sneaky = Object.defineProperty({}, "x", {
      enumerable: true,
      get() {
        analytics.track({ ...E, event: "inner" });
        return 1;
      },
    });
    analytics.track({ ...E, event: "outer", properties: { sneaky } });
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(collector.requests[0].body.batch.map((m) => m.event)).toEqual(["outer"]);
    expect(codes).toHaveLength(2);
    expect(codes[0]).toContain("called from inside another call's payload");
    await analytics.close();
  });

  it("the module-level functions on the default client are total too", async () => {
    collector = await startTestCollector();
    const analytics = init({ host: collector.url, flushAt: 100 });
    const codes: string[] = [];
    analytics.on("error", (error) => codes.push(error.code));
    for (const row of REFUSED.slice(0, 12)) expect(() => track(row.input as never)).not.toThrow();
    track({ ...E, event: "good" });
    expect(await flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(codes).toEqual(REFUSED.slice(0, 12).map(() => "invalid_message"));
    await close();
  });

  it("close(null) and flush(null) resolve instead of throwing", async () => {
    const analytics = new Analytics({ disable: true });
    expect(() => analytics.flush(null as never)).not.toThrow();
    await expect(analytics.flush(null as never)).resolves.toMatchObject({ delivered: 0 });
    expect(() => analytics.close(null as never)).not.toThrow();
    await expect(analytics.close(null as never)).resolves.toMatchObject({ delivered: 0 });
  });
});
