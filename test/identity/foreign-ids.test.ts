import { describe, expect, test } from "vitest";
import { parseCookieHeader } from "../../src/identity/cookie-header.js";
import {
  findPostHogId,
  findSnowplowId,
  readPostHogId,
  readSegmentId,
  readSnowplowId,
} from "../../src/identity/foreign-ids.js";
import { fixtures, pair, recorded } from "./helpers/fixtures.js";

describe("Segment ajs_anonymous_id", () => {
  test("the raw id analytics.js 1.84 writes (recorded)", () => {
    expect(recorded.segment.value).toBe(recorded.segmentId);
    expect(readSegmentId(recorded.segment.value)).toBe(recorded.segmentId);
  });

  test("the JSON-quoted, URL-encoded form of older versions and of the localStorage copy", () => {
    expect(recorded.segmentQuotedValue).toBe(`%22${recorded.segmentId}%22`);
    expect(readSegmentId(recorded.segmentQuotedValue)).toBe(recorded.segmentId);
    expect(readSegmentId(fixtures.segment.result.localStorage)).toBe(recorded.segmentId);
    expect(readSegmentId("%22abc%22")).toBe("abc");
  });

  test.each([
    ["empty", ""],
    ["a quoted empty string", "%22%22"],
    ["broken encoding", "%E0%A4%A"],
    ["JSON that is no string", "%7B%22a%22%3A1%7D"],
    ["quoted id with a bad character", "%22a%20b%22"],
    ["unterminated quote", "%22abc"],
  ])("rejects %s", (_, value) => {
    expect(readSegmentId(value)).toBeUndefined();
  });
});

describe("Snowplow _sp_id.<hash>", () => {
  test("takes the first of the recorded cookie's ten fields", () => {
    const value = recorded.snowplow.value;
    expect(value.split(".")).toHaveLength(10);
    expect(readSnowplowId(value)).toBe(value.split(".")[0]);
  });

  test("the issue's example value", () => {
    const value =
      "9c26d9d6-d6cd-4844-b338-9fa32da0b909.1795459853.1.1795459853..0f89b650-e330-4890-b2b8-8ef2ca89b490..064bf816-2a91-478c-83e5-22261d98e970.1795459852581.1";
    expect(readSnowplowId(value)).toBe("9c26d9d6-d6cd-4844-b338-9fa32da0b909");
  });

  test("found by name prefix among other cookies, bad first field skipped", () => {
    const cookies = parseCookieHeader(`_sp_ses.c169=*; _sp_id.aaaa=%20bad.1.2; ${pair(recorded.snowplow)}`);
    expect(findSnowplowId(cookies)).toBe(recorded.snowplow.value.split(".")[0]);
  });
});

describe("PostHog ph_<token>_posthog", () => {
  test("an anonymous visitor: $device_id (a UUIDv7)", () => {
    const cookies = parseCookieHeader(recorded.posthogAnonymousPair);
    expect(findPostHogId(cookies)).toBe(recorded.posthogDeviceId);
    expect(recorded.posthogDeviceId[14]).toBe("7");
  });

  test("after posthog.identify(): still $device_id, never the user's email in distinct_id", () => {
    const cookies = parseCookieHeader(recorded.posthogIdentifiedPair);
    expect(fixtures.posthog.result.identified.distinctId).toBe("ada@example.com");
    expect(findPostHogId(cookies)).toBe(recorded.posthogDeviceId);
  });

  test("distinct_id only without $device_id, and only while anonymous", () => {
    const encode = (value: object): string => encodeURIComponent(JSON.stringify(value));
    expect(readPostHogId(encode({ distinct_id: "anon-1", $user_state: "anonymous" }))).toBe("anon-1");
    expect(readPostHogId(encode({ distinct_id: "user-42", $user_state: "identified" }))).toBeUndefined();
    expect(readPostHogId(encode({ distinct_id: "anon-1", $device_id: "bad id" }))).toBeUndefined();
    expect(readPostHogId("not json")).toBeUndefined();
    expect(readPostHogId("%ZZ")).toBeUndefined();
  });

  test("cookie names must be ph_<token>_posthog", () => {
    const value = encodeURIComponent(JSON.stringify({ $device_id: "dev-1" }));
    expect(findPostHogId(parseCookieHeader(`ph__posthog=${value}`))).toBeUndefined();
    expect(findPostHogId(parseCookieHeader(`ph_phc_x_posthogs=${value}`))).toBeUndefined();
    expect(findPostHogId(parseCookieHeader(`ph_phc_x_posthog=${value}`))).toBe("dev-1");
  });
});
