import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { Analytics, pseudonymize, ThreadlineError, type DropEvent, type OutgoingMessage } from "../../src/index.js";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";

let collector: TestCollector;
const clients: Analytics[] = [];
function client(options: ConstructorParameters<typeof Analytics>[0]): Analytics {
  const analytics = new Analytics({ host: collector.url, flushAt: 100, ...options });
  clients.push(analytics);
  return analytics;
}
afterEach(async () => {
  await Promise.all(clients.splice(0).map((analytics) => analytics.close({ timeoutMs: 1000 })));
  await collector?.close();
});
const sent = () => collector.requests.flatMap((r) => r.body.batch);

describe("beforeSend", () => {
  it("runs the steps in order, each on the previous step's result, and sends what the last returns", async () => {
    collector = await startTestCollector();
    const seen: string[] = [];
    const analytics = client({
      beforeSend: [
        (m) => {
          seen.push(`a:${String((m.properties as Record<string, unknown>).step)}`);
          (m.properties as Record<string, unknown>).step = "a";
          return m;
        },
        (m) => {
          seen.push(`b:${String((m.properties as Record<string, unknown>).step)}`);
          return { ...m, properties: { ...(m.properties as object), step: "b" } };
        },
      ],
    });
    const properties = { step: "caller" };
    analytics.track({ event: "E", userId: "u", properties });
    await analytics.flush();
    expect(seen).toEqual(["a:caller", "b:a"]);
    expect(sent()).toHaveLength(1);
    expect(sent()[0]!.properties).toEqual({ step: "b" });
    // The caller's object is never touched, even by a step that changes its copy in place.
    expect(properties).toEqual({ step: "caller" });
  });

  it("a step sees the built message: messageId, timestamp and context.library stamped", async () => {
    collector = await startTestCollector();
    let seen: OutgoingMessage | undefined;
    const analytics = client({ beforeSend: (m) => ((seen = structuredClone(m)), m) });
    analytics.identify({ userId: "u", traits: { plan: "pro" } });
    await analytics.flush();
    expect(seen).toMatchObject({ type: "identify", userId: "u", traits: { plan: "pro" }, integrations: {} });
    expect(seen!.messageId).toBe(sent()[0]!.messageId);
    expect((seen!.context as { library: { name: string } }).library.name).toBe("threadline");
    expect(typeof seen!.timestamp).toBe("string");
  });

  it("null drops the message: a drop event with reason before_send, the callback without error, nothing sent", async () => {
    collector = await startTestCollector();
    const drops: DropEvent[] = [];
    const errors: ThreadlineError[] = [];
    const analytics = client({ beforeSend: (m) => (m.event === "Secret" ? null : m) });
    analytics.on("drop", (event) => drops.push(event));
    analytics.on("error", (error) => errors.push(error));
    const outcome = await new Promise<unknown>((resolve) =>
      analytics.track({ event: "Secret", userId: "u", messageId: "m-secret" }, resolve),
    );
    analytics.track({ event: "Public", userId: "u" });
    const result = await analytics.flush();
    expect(outcome).toBeUndefined();
    expect(drops).toEqual([{ count: 1, messageIds: ["m-secret"], reason: "before_send" }]);
    expect(errors).toEqual([]);
    expect(sent().map((m) => m.event)).toEqual(["Public"]);
    expect(result).toMatchObject({ delivered: 1, failed: 0 });
  });

  it("a throwing step rejects only its message, with code before_send, and the caller never sees the throw", async () => {
    collector = await startTestCollector();
    const errors: ThreadlineError[] = [];
    const analytics = client({
      beforeSend: (m) => {
        if (m.event === "Bad") throw new Error("boom");
        return m;
      },
    });
    analytics.on("error", (error) => errors.push(error));
    const callbackErrors: unknown[] = [];
    expect(() =>
      analytics.track({ event: "Bad", userId: "u", messageId: "m-bad" }, (err) => callbackErrors.push(err)),
    ).not.toThrow();
    analytics.track({ event: "Good", userId: "u" });
    analytics.track({ event: "Good", userId: "u" });
    await analytics.flush();
    expect(sent().map((m) => m.event)).toEqual(["Good", "Good"]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(ThreadlineError);
    expect(errors[0]!.code).toBe("before_send");
    expect(errors[0]!.messageIds).toEqual(["m-bad"]);
    expect((errors[0]!.cause as Error).message).toBe("boom");
    expect(callbackErrors).toEqual([errors[0]]);
  });

  it.each([
    ["undefined", () => undefined],
    ["a string", () => "nope"],
    ["an unserializable message", (m: OutgoingMessage) => ({ ...m, big: 10n })],
  ])("a step returning %s rejects the message with before_send", async (_, step) => {
    collector = await startTestCollector();
    const errors: ThreadlineError[] = [];
    const analytics = client({ beforeSend: step as never });
    analytics.on("error", (error) => errors.push(error));
    analytics.track({ event: "E", userId: "u" });
    await analytics.flush();
    expect(sent()).toHaveLength(0);
    expect(errors.map((e) => e.code)).toEqual(["before_send"]);
  });

  it("a step that grows the message past maxMessageBytes: message_too_large", async () => {
    collector = await startTestCollector();
    const errors: ThreadlineError[] = [];
    const analytics = client({ maxMessageBytes: 2048, beforeSend: (m) => ({ ...m, pad: "x".repeat(4096) }) });
    analytics.on("error", (error) => errors.push(error));
    analytics.track({ event: "E", userId: "u" });
    await analytics.flush();
    expect(errors.map((e) => e.code)).toEqual(["message_too_large"]);
  });

  it.each([
    ["a string", "x"],
    ["an array with a non-function", [(m: OutgoingMessage) => m, 1]],
    ["null", null],
  ])("beforeSend as %s is a config error at construction", (_, value) => {
    expect(() => new Analytics({ host: "http://127.0.0.1:9", beforeSend: value as never })).toThrow(
      expect.objectContaining({ code: "config", message: expect.stringContaining("beforeSend") }),
    );
  });
});

describe("pseudonymize", () => {
  const hmac = (key: string, value: string) => createHmac("sha256", key).update(value, "utf8").digest("hex");

  it("replaces the named paths with HMAC-SHA256 hex; numbers as String(value); others and missing paths untouched", async () => {
    collector = await startTestCollector();
    const analytics = client({
      beforeSend: pseudonymize({
        fields: ["traits.email", "traits.phone", "traits.tags", "traits.none", "context.ip", "nowhere.deep"],
        key: "k1",
      }),
    });
    analytics.identify({
      userId: "u",
      traits: { email: "ada@example.com", phone: 5550100, tags: ["a"], name: "Ada" },
      context: { ip: "203.0.113.9" },
    });
    await analytics.flush();
    const [message] = sent();
    expect(message!.traits).toEqual({
      email: hmac("k1", "ada@example.com"),
      phone: hmac("k1", "5550100"),
      tags: ["a"],
      name: "Ada",
    });
    expect((message!.context as Record<string, unknown>).ip).toBe(hmac("k1", "203.0.113.9"));
    expect(message!.nowhere).toBeUndefined();
  });

  it("is deterministic per key (joins still work) and differs across keys", () => {
    const message = () =>
      ({ type: "identify", messageId: "m", traits: { email: "ünï@example.com" } }) as OutgoingMessage;
    const a1 = pseudonymize({ fields: ["traits.email"], key: "key-a" })(message())!;
    const a2 = pseudonymize({ fields: ["traits.email"], key: "key-a" })(message())!;
    const b = pseudonymize({ fields: ["traits.email"], key: "key-b" })(message())!;
    const email = (m: OutgoingMessage) => (m.traits as { email: string }).email;
    expect(email(a1)).toBe(email(a2));
    expect(email(a1)).toMatch(/^[0-9a-f]{64}$/);
    expect(email(a1)).not.toBe(email(b));
    expect(email(a1)).toBe(hmac("key-a", "ünï@example.com"));
  });

  it("composes with other steps in order", async () => {
    collector = await startTestCollector();
    const analytics = client({
      beforeSend: [
        (m) => ({ ...m, properties: { ...(m.properties as object), email: "x@y.z" } }),
        pseudonymize({ fields: ["properties.email"], key: "k" }),
      ],
    });
    analytics.track({ event: "E", userId: "u" });
    await analytics.flush();
    expect((sent()[0]!.properties as { email: string }).email).toBe(hmac("k", "x@y.z"));
  });

  it.each([
    ["no fields", { fields: "traits.email", key: "k" }],
    ["an empty path segment", { fields: ["traits..email"], key: "k" }],
    ["an empty key", { fields: ["traits.email"], key: "" }],
  ])("rejects %s with a config error", (_, options) => {
    expect(() => pseudonymize(options as never)).toThrow(expect.objectContaining({ code: "config" }));
  });
});

describe("consent in a scope", () => {
  it("regression: a null call is still rejected as invalid_message, under full and anonymous consent alike", async () => {
    const { runInScope } = await import("../../src/scope.js");
    collector = await startTestCollector();
    const errors: ThreadlineError[] = [];
    const drops: DropEvent[] = [];
    const analytics = client({});
    analytics.on("error", (error) => errors.push(error));
    analytics.on("drop", (event) => drops.push(event));
    analytics.track(null as never);
    const anonymous = {
      anonymousId: "a1",
      userId: undefined,
      consent: "anonymous" as const,
      scopeContext: () => undefined,
      bindUserId: () => {},
    };
    runInScope(anonymous, () => analytics.track(null as never));
    runInScope({ ...anonymous, consent: "none" as const }, () => analytics.track({ event: "E" }));
    await analytics.flush();
    expect(errors.map((e) => e.code)).toEqual(["invalid_message", "invalid_message"]);
    expect(drops).toEqual([{ count: 1, messageIds: [], reason: "consent" }]);
  });
});
