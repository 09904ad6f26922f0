// Type tests of the public client API (`threadline`): compiled, never run. `npm test`
// checks them with `vitest run --typecheck.only`; `tsc --noEmit` compiles them too.
// To extend: one `test` per public name, asserting what a user's code relies on.
import { describe, expectTypeOf, test } from "vitest";
import {
  Analytics,
  alias,
  close,
  DEFAULTS,
  defaultClient,
  ERROR_CODES,
  flush,
  group,
  identify,
  init,
  isThreadlineError,
  newAnonymousId,
  page,
  screen,
  ThreadlineError,
  track,
  VERSION,
  type AnalyticsEvents,
  type Callback,
  type CloseOptions,
  type DeliveredEvent,
  type DropEvent,
  type ErrorCode,
  type FlushResult,
  type Options,
  type RetryEvent,
  type TrackMessage,
} from "../../src/index.js";

describe("module functions", () => {
  test("init and defaultClient return the client", () => {
    expectTypeOf(init).parameter(0).toEqualTypeOf<Options | undefined>();
    expectTypeOf(init).returns.toEqualTypeOf<Analytics>();
    expectTypeOf(defaultClient).returns.toEqualTypeOf<Analytics>();
  });

  test("the six calls take their message and an optional callback, and return nothing", () => {
    for (const call of [identify, track, page, screen, group, alias]) {
      expectTypeOf(call).returns.toBeVoid();
      expectTypeOf(call).parameter(1).toEqualTypeOf<Callback | undefined>();
    }
    expectTypeOf(track).parameter(0).toEqualTypeOf<TrackMessage>();
  });

  test("flush and close resolve with a FlushResult", () => {
    expectTypeOf(flush).returns.resolves.toEqualTypeOf<FlushResult>();
    expectTypeOf(close).returns.resolves.toEqualTypeOf<FlushResult>();
  });

  test("newAnonymousId and VERSION are strings", () => {
    expectTypeOf(newAnonymousId).returns.toBeString();
    expectTypeOf(VERSION).toBeString();
  });
});

describe("Analytics", () => {
  const analytics = new Analytics({ host: "http://127.0.0.1:1", writeKey: "k" });

  test("the constructor's options are optional", () => {
    expectTypeOf(Analytics).toBeConstructibleWith();
    expectTypeOf(Analytics).toBeConstructibleWith({});
    expectTypeOf(Analytics).constructorParameters.toEqualTypeOf<[options?: Options]>();
  });

  test("calls return void; flush and close resolve with counts", () => {
    expectTypeOf(analytics.track).returns.toBeVoid();
    expectTypeOf(analytics.identify).returns.toBeVoid();
    expectTypeOf(analytics.flush).returns.resolves.toEqualTypeOf<FlushResult>();
    expectTypeOf(analytics.close).parameter(0).toEqualTypeOf<CloseOptions | undefined>();
    expectTypeOf(analytics.close).returns.resolves.toEqualTypeOf<FlushResult>();
  });

  test("FlushResult counts delivered, failed and dropped messages", () => {
    expectTypeOf<FlushResult>().toHaveProperty("delivered").toEqualTypeOf<number>();
    expectTypeOf<FlushResult>().toHaveProperty("failed").toEqualTypeOf<number>();
    expectTypeOf<FlushResult>().toHaveProperty("dropped").toEqualTypeOf<number>();
  });

  test("a message needs its required fields", () => {
    analytics.track({ event: "Signed Up", userId: "u1" });
    analytics.track({ event: "Signed Up", anonymousId: "a1", properties: { plan: "pro" } });
    // @ts-expect-error: track needs an event name
    analytics.track({ userId: "u1" });
    // @ts-expect-error: group needs a groupId
    analytics.group({ userId: "u1" });
    // @ts-expect-error: alias needs a previousId
    analytics.alias({ userId: "u1" });
  });

  test("callbacks receive a ThreadlineError or nothing", () => {
    analytics.track({ event: "e", userId: "u" }, (err) => {
      expectTypeOf(err).toEqualTypeOf<ThreadlineError | undefined>();
    });
  });
});

describe("options", () => {
  test("every option is optional and typed", () => {
    expectTypeOf<Options>().toHaveProperty("host").toEqualTypeOf<string | undefined>();
    expectTypeOf<Options>().toHaveProperty("flushAt").toEqualTypeOf<number | undefined>();
    expectTypeOf<Options>().toHaveProperty("gzip").toEqualTypeOf<boolean | undefined>();
    expectTypeOf<Record<never, never>>().toExtend<Options>();
    expectTypeOf(DEFAULTS.flushAt).toBeNumber();
  });

  test("unknown keys and wrong types are rejected", () => {
    // @ts-expect-error: a misspelt option is an error, not silently ignored
    new Analytics({ hots: "http://127.0.0.1:1" });
    // @ts-expect-error: flushAt is a number
    new Analytics({ flushAt: "20" });
    // @ts-expect-error: the module's init takes the same options
    init({ flushIntervall: 1000 });
  });
});

describe("events of on()", () => {
  const analytics = new Analytics();

  test("each event's listener receives its payload type", () => {
    analytics.on("error", (error) => expectTypeOf(error).toEqualTypeOf<ThreadlineError>());
    analytics.on("delivered", (event) => expectTypeOf(event).toEqualTypeOf<DeliveredEvent>());
    analytics.on("retry", (event) => expectTypeOf(event).toEqualTypeOf<RetryEvent>());
    analytics.on("drop", (event) => expectTypeOf(event).toEqualTypeOf<DropEvent>());
    analytics.once("delivered", (event) => expectTypeOf(event.messageIds).toEqualTypeOf<string[]>());
  });

  test("payload fields", () => {
    expectTypeOf<DeliveredEvent>().toHaveProperty("count").toBeNumber();
    expectTypeOf<RetryEvent>().toHaveProperty("error").toEqualTypeOf<ThreadlineError>();
    expectTypeOf<DropEvent["reason"]>().toExtend<string>();
    expectTypeOf<keyof AnalyticsEvents>().toEqualTypeOf<"error" | "delivered" | "retry" | "drop">();
  });

  test("on() returns the client, for chaining, and rejects unknown events", () => {
    expectTypeOf(analytics.on("error", () => {})).toEqualTypeOf<Analytics>();
    // @ts-expect-error: there is no "sent" event
    analytics.on("sent", () => {});
  });
});

describe("errors", () => {
  test("ThreadlineError carries a stable code", () => {
    expectTypeOf<ThreadlineError>().toExtend<Error>();
    expectTypeOf<ThreadlineError["code"]>().toEqualTypeOf<ErrorCode>();
    expectTypeOf(ERROR_CODES).toEqualTypeOf<readonly ErrorCode[]>();
    expectTypeOf<"invalid_message">().toExtend<ErrorCode>();
  });

  test("isThreadlineError narrows", () => {
    const value: unknown = new Error("x");
    if (isThreadlineError(value)) expectTypeOf(value).toEqualTypeOf<ThreadlineError>();
  });
});
