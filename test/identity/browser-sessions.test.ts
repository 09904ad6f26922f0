import { describe, expect, test } from "vitest";
import {
  findBrowserSession,
  findPostHogSession,
  findSnowplowSession,
  POSTHOG_DEFAULT_IDLE_MS,
  readPostHogSession,
  readSnowplowSession,
} from "../../src/identity/browser-sessions.js";
import { parseCookieHeader } from "../../src/identity/cookie-header.js";
import { cookieHeader, sessionFixtures } from "./helpers/session-fixtures.js";

const { snowplow, posthog } = sessionFixtures;
const spId = (visit: typeof snowplow.first) => visit.cookies.find((c) => c.name.startsWith("_sp_id."))!.value;

describe("Snowplow (recorded from @snowplow/browser-tracker)", () => {
  test("a live session (_sp_ses present) is read from _sp_id's 6th, 3rd and 7th fields", () => {
    const session = findSnowplowSession(parseCookieHeader(cookieHeader(snowplow.first)));
    const fields = spId(snowplow.first).split(".");
    expect(session).toEqual({
      sdk: "snowplow",
      sessionId: fields[5],
      index: 1,
      previousSessionId: null,
      startedAtMs: Number(fields[3]) * 1000,
    });
  });

  test("the tracker's second session: index 2, previous = the first", () => {
    const first = findSnowplowSession(parseCookieHeader(cookieHeader(snowplow.first)))!;
    const second = findSnowplowSession(parseCookieHeader(cookieHeader(snowplow.second)))!;
    expect(second.index).toBe(2);
    expect(second.previousSessionId).toBe(first.sessionId);
    expect(second.sessionId).not.toBe(first.sessionId);
  });

  test("without _sp_ses (expired: the page request before the tracker runs) nothing is adopted", () => {
    expect(snowplow.expired.cookies.some((c) => c.name.startsWith("_sp_ses."))).toBe(false);
    expect(snowplow.expired.cookies.some((c) => c.name.startsWith("_sp_id."))).toBe(true);
    expect(findSnowplowSession(parseCookieHeader(cookieHeader(snowplow.expired)))).toBeUndefined();
  });

  test("_sp_ses of another domain hash does not make a session live", () => {
    const header = cookieHeader(snowplow.expired) + "; _sp_ses.ffff=*";
    expect(findSnowplowSession(parseCookieHeader(header))).toBeUndefined();
  });

  test.each([
    ["too few fields", "a.1.1"],
    ["a bad session id", "a.1.1.1..bad id..x.1.1"],
    ["visit count 0", "a.1.0.1..s..x.1.1"],
    ["a non-numeric visit start", "a.1.1.x..s..x.1.1"],
  ])("rejects %s", (_, value) => {
    expect(readSnowplowSession(value)).toBeUndefined();
  });
});

describe("PostHog (recorded from posthog-js)", () => {
  const raw = posthog.first.cookies.find((c) => c.name.endsWith("_posthog"))!.value;
  const sesid = JSON.parse(decodeURIComponent(raw)).$sesid as [number, string, number];

  test("the recorded cookie holds $sesid [lastActivity, id, start] and the configured timeout", () => {
    expect(sesid[1]).toBe(posthog.first.result.sessionId);
    expect(JSON.parse(decodeURIComponent(raw)).$configured_session_timeout_ms).toBe(
      posthog.sessionIdleTimeoutSeconds * 1000,
    );
  });

  test("adopted while live; PostHog counts no sessions, so index and previous are left to ours", () => {
    expect(readPostHogSession(raw, sesid[0] + 1000)).toEqual({
      sdk: "posthog",
      sessionId: sesid[1],
      index: undefined,
      previousSessionId: undefined,
      startedAtMs: sesid[2],
    });
  });

  test("idle past its configured timeout: not adopted (the one-year cookie outlives the session)", () => {
    const timeout = posthog.sessionIdleTimeoutSeconds * 1000;
    expect(readPostHogSession(raw, sesid[0] + timeout)).toBeDefined();
    expect(readPostHogSession(raw, sesid[0] + timeout + 1)).toBeUndefined();
  });

  test("without $configured_session_timeout_ms the idle timeout is 30 minutes", () => {
    const data = JSON.parse(decodeURIComponent(raw));
    delete data.$configured_session_timeout_ms;
    const value = encodeURIComponent(JSON.stringify(data));
    expect(readPostHogSession(value, sesid[0] + POSTHOG_DEFAULT_IDLE_MS)).toBeDefined();
    expect(readPostHogSession(value, sesid[0] + POSTHOG_DEFAULT_IDLE_MS + 1)).toBeUndefined();
  });

  test("a session started over 24 h ago is over, however recent its activity", () => {
    const data = JSON.parse(decodeURIComponent(raw));
    const now = sesid[0] + 1000;
    data.$sesid = [now - 1000, sesid[1], now - 24 * 3600_000 - 1];
    expect(readPostHogSession(encodeURIComponent(JSON.stringify(data)), now)).toBeUndefined();
  });

  test.each([
    ["no $sesid (before the first event)", { distinct_id: "x" }],
    ["a reset $sesid", { $sesid: [null, null, null] }],
    ["an id that is no UUIDv7", { $sesid: [1, "6b3e1f0a-2c4d-4e5f-8a9b-0c1d2e3f4a5b", 1] }],
    ["start after last activity", { $sesid: [1, "01a23327-3a48-7f57-81bf-b207306422b2", 2] }],
  ])("rejects %s", (_, data) => {
    expect(readPostHogSession(encodeURIComponent(JSON.stringify(data)), 10)).toBeUndefined();
  });

  test("found by cookie name among others; Snowplow's wins when both are live", () => {
    const header = `${cookieHeader(posthog.first)}; other=1`;
    const now = sesid[0] + 1000;
    expect(findPostHogSession(parseCookieHeader(header), now)?.sessionId).toBe(sesid[1]);
    const both = parseCookieHeader(`${header}; ${cookieHeader(snowplow.first)}`);
    expect(findBrowserSession(both, now, { snowplow: true, posthog: true })?.sdk).toBe("snowplow");
    expect(findBrowserSession(both, now, { snowplow: false, posthog: true })?.sdk).toBe("posthog");
    expect(findBrowserSession(both, now, { snowplow: false, posthog: false })).toBeUndefined();
  });
});
