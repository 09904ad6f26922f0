import fc from "fast-check";

// Generators for the hostile-input fuzz: good calls (some with exotic values JSON carries
// faithfully), and bad calls made by planting one hostile value where the call reads it.

export type Method = "track" | "identify" | "page" | "screen" | "group" | "alias";
export const METHODS: readonly Method[] = ["track", "identify", "page", "screen", "group", "alias"];

export interface GeneratedCall {
  method: Method;
  /** Built lazily: Proxies, getters and revoked objects cannot be shrunk or printed safely. */
  make: () => unknown;
  bad: boolean;
  /** For a failure report: what was planted where. */
  label: string;
}

const boom = (): never => {
  throw new Error("fuzz boom");
};

function nested(levels: number, asArray: boolean): unknown {
  let value: unknown = "leaf";
  for (let i = 0; i < levels; i++) value = asArray ? [value] : { n: value };
  return value;
}

function cyclic(): unknown {
  const a: Record<string, unknown> = { a: 1 };
  a.b = { back: a };
  return a;
}

/** Hostile values: each one is refused wherever a call reads it (a field or inside a payload). */
const HOSTILE: Record<string, (size: number) => unknown> = {
  getterThrows: () => Object.defineProperty({ ok: 1 }, "bad", { enumerable: true, get: boom }),
  proxyGetThrows: () => new Proxy({ a: 1 }, { get: boom }),
  proxyOwnKeysThrows: () => new Proxy({ a: 1 }, { ownKeys: boom }),
  proxyDescriptorThrows: () => new Proxy({ a: 1 }, { getOwnPropertyDescriptor: boom }),
  proxyPrototypeThrows: () => new Proxy({ a: 1 }, { getPrototypeOf: boom }),
  revoked: () => {
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    return proxy;
  },
  map: () => new Map([["k", 1]]),
  set: () => new Set([1, 2]),
  typedArray: (size) => new Float64Array(size % 16),
  regexp: () => /fuzz/g,
  error: () => new Error("as data"),
  invalidDate: () => new Date("not a date"),
  bigint: (size) => BigInt(size) * 10n ** 20n,
  symbol: () => Symbol("fuzz"),
  fn: () => () => 1,
  cycle: cyclic,
  deepObjects: (size) => nested(65 + (size % 5000), false),
  deepArrays: (size) => nested(65 + (size % 5000), true),
  hugeString: (size) => "x".repeat(40_000 + size),
  sparseHuge: (size) => {
    const holes: unknown[] = [];
    holes.length = 1e6 + size;
    return holes;
  },
  toJSONThrows: () => ({ toJSON: boom }),
  toJSONBigInt: () => ({ toJSON: () => 1n }),
  toJSONCycle: () => ({ toJSON: cyclic }),
};
export const HOSTILE_KINDS = Object.keys(HOSTILE);

/** Timestamps a call must refuse. */
const BAD_TIMESTAMPS: Array<() => unknown> = [
  () => Date.now() * 1e6,
  () => 1e16,
  () => -1e16,
  () => Number.NaN,
  () => Number.POSITIVE_INFINITY,
  () => new Date("x"),
  () => "not a time",
  () => "",
  () => ({}),
  () => [],
  () => new Proxy(new Date(), {}),
];

/** Whole arguments that are not a call. */
const NOT_A_CALL: Array<() => unknown> = [
  () => undefined,
  () => null,
  () => "Signed Up",
  () => 42,
  () => [{ userId: "u", event: "E" }],
  () => () => ({ userId: "u" }),
  () => new Proxy({ userId: "u", event: "E" }, { get: boom }),
  () => new Proxy({ userId: "u", event: "E" }, { getPrototypeOf: boom }),
  () => HOSTILE.revoked(0),
  () =>
    new (class Call {
      userId = "u";
      event = "E";
    })(),
];

/** The fields each method reads, beyond the shared ones: a hostile value there is always seen. */
const FIELDS: Record<Method, string[]> = {
  track: ["event", "properties"],
  identify: ["traits"],
  page: ["name", "category", "properties"],
  screen: ["name", "category", "properties"],
  group: ["groupId", "traits"],
  alias: ["previousId"],
};
const SHARED_FIELDS = ["userId", "anonymousId", "context", "integrations", "messageId"];
const PAYLOAD: Record<Method, string | undefined> = {
  track: "properties",
  identify: "traits",
  page: "properties",
  screen: "properties",
  group: "traits",
  alias: undefined,
};

// JSON-safe payload values (no -0 or huge numbers surprises: JSON carries them as numbers).
const jsonLeaf = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
);
const payload = fc.dictionary(
  fc.string({ minLength: 1, maxLength: 12 }),
  fc.oneof(
    jsonLeaf,
    fc.array(jsonLeaf, { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 8 }), jsonLeaf, { maxKeys: 3 }),
  ),
  { maxKeys: 6 },
);

class Money {
  constructor(
    readonly amount: number,
    readonly currency: string,
  ) {}
}

/** Values that look odd but JSON carries them faithfully: a good call may hold them. */
const BENIGN: Array<() => unknown> = [
  () => new Date(0),
  () => new Money(5, "EUR"),
  () => Object.assign(Object.create(null) as object, { a: 1 }),
  () => ({ [Symbol("hidden")]: 1, shown: 2 }),
  () => Object.defineProperty({ shown: 1 }, "hidden", { value: 2, enumerable: false }),
  () => {
    const holey: unknown[] = [1];
    holey[2] = 3;
    return holey;
  },
  () => Buffer.from("ok"),
  () => new Proxy({ a: 1 }, {}),
  () => ({ toJSON: () => ({ fine: true }) }),
];

function baseCall(
  method: Method,
  id: number,
  props: Record<string, unknown>,
  benign: number | undefined,
): Record<string, unknown> {
  const call: Record<string, unknown> = { userId: `user-${id}` };
  const field = PAYLOAD[method];
  if (field !== undefined) {
    call[field] = { ...props };
    if (benign !== undefined) (call[field] as Record<string, unknown>).exotic = BENIGN[benign % BENIGN.length]();
  }
  if (method === "track") call.event = `Event ${id}`;
  if (method === "group") call.groupId = `g-${id}`;
  if (method === "alias") call.previousId = `prev-${id}`;
  if (method === "page" || method === "screen") call.name = `Name ${id}`;
  return call;
}

export const goodCall: fc.Arbitrary<GeneratedCall> = fc
  .record({
    method: fc.constantFrom(...METHODS),
    id: fc.nat(10_000),
    props: payload,
    benign: fc.option(fc.nat(), { nil: undefined }),
  })
  .map(({ method, id, props, benign }) => ({
    method,
    make: () => baseCall(method, id, props, benign),
    bad: false,
    label: `good ${method}${benign === undefined ? "" : ` with ${BENIGN[benign % BENIGN.length].toString()}`}`,
  }));

/** One hostile value planted where `method` reads it: a top-level field, deep in the payload, or as the whole call. */
export const badCall: fc.Arbitrary<GeneratedCall> = fc
  .record({
    method: fc.constantFrom(...METHODS),
    id: fc.nat(10_000),
    kind: fc.constantFrom(...HOSTILE_KINDS),
    size: fc.nat(100_000),
    where: fc.constantFrom("field", "payload", "timestamp", "whole", "getterOnCall"),
    pick: fc.nat(),
    depth: fc.integer({ min: 0, max: 6 }),
  })
  .map(({ method, id, kind, size, where, pick, depth }) => {
    const fields = [...SHARED_FIELDS, ...FIELDS[method]];
    const field = fields[pick % fields.length];
    const target = PAYLOAD[method] ?? "context";
    const make = (): unknown => {
      const call = baseCall(method, id, { a: 1 }, undefined);
      switch (where) {
        case "field":
          call[field] = HOSTILE[kind](size);
          return call;
        case "payload": {
          let holder = (call[target] ??= {}) as Record<string, unknown>;
          for (let i = 0; i < depth; i++)
            holder = (holder[`k${i}`] = i % 2 ? {} : { sibling: i }) as Record<string, unknown>;
          holder.planted = HOSTILE[kind](size);
          return call;
        }
        case "timestamp":
          call.timestamp = BAD_TIMESTAMPS[pick % BAD_TIMESTAMPS.length]();
          return call;
        case "whole":
          return NOT_A_CALL[pick % NOT_A_CALL.length]();
        default:
          return Object.defineProperty(call, field, { enumerable: true, get: boom });
      }
    };
    const label =
      where === "field" || where === "getterOnCall"
        ? `${method}: ${where === "field" ? kind : "throwing getter"} at ${field}`
        : where === "payload"
          ? `${method}: ${kind} at depth ${depth} of ${target}`
          : where === "timestamp"
            ? `${method}: bad timestamp #${pick % BAD_TIMESTAMPS.length}`
            : `${method}: not a call #${pick % NOT_A_CALL.length}`;
    return { method, make, bad: true, label };
  });

/** A run of calls: mostly good, with bad ones between them. */
export const callSequence = fc.array(fc.oneof({ weight: 2, arbitrary: goodCall }, { weight: 3, arbitrary: badCall }), {
  minLength: 1,
  maxLength: 12,
});

export const FUZZ_RUNS = Number(process.env.THREADLINE_FUZZ_RUNS ?? 60);
/** Fixed by default so a clean clone runs the same cases; set THREADLINE_FUZZ_SEED to explore. */
export const FUZZ_SEED = Number(process.env.THREADLINE_FUZZ_SEED ?? 20261201);
