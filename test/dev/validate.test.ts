import { describe, expect, it } from "vitest";
import { rejectionReason } from "../../src/dev/validate.js";
import { collector, get, message, post } from "./helpers.js";

// Each bad message and the reason it must be refused with.
const BAD: Array<[string, unknown, RegExp]> = [
  ["not an object", "hello", /must be a JSON object/],
  ["an array", [1], /must be a JSON object/],
  ["unknown type", message("purchase", { userId: "u" }), /type must be one of/],
  ["missing type", { userId: "u", messageId: "x" }, /type must be one of/],
  ["no ids", message("track", {}), /userId or anonymousId is required/],
  ["empty-string ids", message("page", { userId: "", anonymousId: "" }), /userId or anonymousId is required/],
  ["object userId", message("identify", { userId: { id: 1 } }), /userId must be a string or a number/],
  ["track without event", message("track", { userId: "u", event: undefined }), /track needs an event name/],
  ["track with empty event", message("track", { userId: "u", event: "" }), /track needs an event name/],
  ["track with numeric event", message("track", { userId: "u", event: 5 }), /track needs an event name/],
  ["group without groupId", message("group", { userId: "u" }), /group needs a groupId/],
  ["alias without previousId", message("alias", { userId: "u" }), /alias needs userId and previousId/],
  [
    "alias with only anonymousId",
    message("alias", { anonymousId: "a", previousId: "p" }),
    /alias needs userId and previousId/,
  ],
  [
    "unparseable timestamp",
    message("track", { userId: "u", timestamp: "yesterday" }),
    /timestamp must be an ISO-8601 date/,
  ],
  ["properties not an object", message("track", { userId: "u", properties: [1, 2] }), /properties must be an object/],
  ["context not an object", message("page", { anonymousId: "a", context: "web" }), /context must be an object/],
  ["numeric messageId", message("track", { userId: "u", messageId: 7 }), /messageId must be a non-empty string/],
  [
    "messageId over 200 characters",
    message("track", { userId: "u", messageId: "m".repeat(201) }),
    /at most 200 characters/,
  ],
  [
    "over 32 KB",
    message("track", { userId: "u", properties: { blob: "x".repeat(33 * 1024) } }),
    /over the 32 KB limit/,
  ],
];

const GOOD: Array<[string, Record<string, unknown>]> = [
  ["track", message("track", { anonymousId: "a1" })],
  ["identify with numeric userId", message("identify", { userId: 42, traits: { plan: "pro" } })],
  ["page without name", message("page", { anonymousId: "a1" })],
  ["screen", message("screen", { userId: "u", name: "Home" })],
  ["group", message("group", { userId: "u", groupId: 9 })],
  ["alias", message("alias", { userId: "u", previousId: "a1" })],
  ["epoch timestamp", message("track", { userId: "u", timestamp: 1_767_225_600_000 })],
  ["no timestamp", message("track", { userId: "u", timestamp: undefined })],
  ["null properties and context", message("page", { anonymousId: "a", properties: null, context: null })],
  ["just under 32 KB", message("track", { userId: "u", properties: { blob: "x".repeat(31 * 1024) } })],
];

describe("rejectionReason", () => {
  it.each(BAD)("refuses %s", (_name, bad, reason) => {
    expect(rejectionReason(bad)).toMatch(reason);
  });
  it.each(GOOD)("accepts %s", (_name, good) => {
    expect(rejectionReason(good)).toBeUndefined();
  });
});

describe("a batch mixing good and bad messages", () => {
  it("stores the good ones, keeps each bad one apart with its reason, and counts both", async () => {
    const { url } = await collector();
    // Interleave: good, bad, good, bad, ... so a bad one never takes its neighbours down.
    const batch = BAD.flatMap(([, bad], index) => [GOOD[index % GOOD.length]![1], bad]).map((entry, index) =>
      typeof entry === "object" && entry !== null && !Array.isArray(entry) && index % 2 === 0
        ? { ...entry, messageId: `good-${index}` }
        : entry,
    );
    const answer = await post(`${url}/v1/batch`, { batch });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ accepted: BAD.length, rejected: BAD.length, duplicates: 0 });

    const events = (await get(`${url}/dev/events`)).body.events;
    expect(events.map((event: { messageId: string }) => event.messageId)).toEqual(
      BAD.map((_, index) => `good-${index * 2}`),
    );
    for (const event of events) expect(Date.parse(event.receivedAt)).toBeGreaterThan(Date.now() - 60_000);

    const rejected = (await get(`${url}/dev/rejected`)).body.rejected;
    expect(rejected).toHaveLength(BAD.length);
    rejected.forEach((entry: { reason: string; message: unknown }, index: number) => {
      expect(entry.reason).toMatch(BAD[index]![2]);
      expect(entry.message).toEqual(BAD[index]![1]);
    });
  });

  it("gives a single-call path's type to a body without one, and refuses a body claiming another", async () => {
    const { url } = await collector();
    const { type: _omit, ...untyped } = message("track", { userId: "u" });
    expect((await post(`${url}/v1/track`, untyped)).body).toEqual({ accepted: 1, rejected: 0, duplicates: 0 });
    expect((await post(`${url}/v1/identify`, message("track", { userId: "u" }))).body).toEqual({
      accepted: 0,
      rejected: 1,
      duplicates: 0,
    });
    const rejected = (await get(`${url}/dev/rejected`)).body.rejected;
    expect(rejected[0].reason).toBe('type "track" does not match /v1/identify');
    const events = (await get(`${url}/dev/events`)).body.events;
    expect(events).toHaveLength(1);
    expect(events[0].type).toBe("track");
  });
});
