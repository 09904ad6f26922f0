import { describe, expect, test } from "vitest";
import {
  ANONYMOUS_OWNER,
  decideSession,
  followBrowserSession,
  sessionContext,
  type StoredSession,
} from "../../src/identity/session.js";
import { base36, formatSessionCookie, ownerTag, parseSessionCookie } from "../../src/identity/session-cookie.js";

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);
const TIMEOUT = 1800_000;
const owner = ownerTag("3f2c6a52-6c1e-4a52-9d2a-0d3b1f6b9a11");
const stored: StoredSession = {
  sessionId: "6b3e1f0a-2c4d-4e5f-8a9b-0c1d2e3f4a5b",
  index: 3,
  previousSessionId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  startedAtMs: NOW - 600_000,
  lastActivityMs: NOW - 60_000,
  owner,
};

describe("session cookie format", () => {
  test("round-trips, with and without a previous session", () => {
    expect(parseSessionCookie(formatSessionCookie(stored), NOW)).toEqual(stored);
    const first = { ...stored, index: 1, previousSessionId: null };
    expect(parseSessionCookie(formatSessionCookie(first), NOW)).toEqual(first);
  });

  test("the value is cookie-safe (written raw)", () => {
    expect(formatSessionCookie(stored)).toMatch(/^[A-Za-z0-9._-]+$/);
  });

  test.each([
    ["empty", ""],
    ["too few fields", "abc.1.2.3"],
    ["too many fields", `${formatSessionCookie(stored)}.x`],
    ["index 0", formatSessionCookie({ ...stored, index: 0 })],
    ["a non-numeric index", formatSessionCookie(stored).replace(".3.", ".x.")],
    ["a quote in the id", formatSessionCookie({ ...stored, sessionId: 'a"b' })],
    ["a percent-encoded id", formatSessionCookie({ ...stored, sessionId: "a%0Db" })],
    ["start after last activity", formatSessionCookie({ ...stored, startedAtMs: stored.lastActivityMs + 1 })],
    [
      "activity far in the future",
      formatSessionCookie({ ...stored, startedAtMs: NOW, lastActivityMs: NOW + 86_400_000 }),
    ],
    ["an owner tag with capitals", formatSessionCookie({ ...stored, owner: "ABC" })],
    ["over 200 characters", "a".repeat(201)],
  ])("rejects %s", (_, value) => {
    expect(parseSessionCookie(value, NOW)).toBeUndefined();
  });

  test("the owner tag is stable and differs between ids", () => {
    expect(ownerTag("a")).toBe(ownerTag("a"));
    expect(ownerTag("a")).not.toBe(ownerTag("b"));
    expect(ownerTag("3f2c6a52-6c1e-4a52-9d2a-0d3b1f6b9a11")).toMatch(/^[0-9a-z]{1,8}$/);
    expect(ANONYMOUS_OWNER).not.toMatch(/^[0-9a-z]{2,}$/);
  });
});

describe("the owner tag's base 36", () => {
  // Values at each digit-count boundary, the 32-bit extremes, and a spread between.
  const spread = Array.from({ length: 200 }, (_, i) => Math.imul(i + 1, 0x9e3779b1) >>> 0);
  const boundaries = [0, 1, 35, 36, 1295, 1296, 36 ** 3 - 1, 36 ** 3, 36 ** 4, 36 ** 5 - 1, 36 ** 5];
  const wide = [36 ** 6 - 1, 36 ** 6, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];
  test("is Number#toString(36)'s text at every digit count, the 32-bit extremes and between", () => {
    const values = [...boundaries, ...wide, ...spread];
    const wrong = values.filter((n) => base36(n) !== n.toString(36));
    expect(wrong).toEqual([]);
    expect(new Set(values.map((n) => base36(n).length))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7]));
  });

  test("tags stay those cookies already carry (toString(36) of the FNV-1a hash)", () => {
    const fnv = (text: string) => {
      let hash = 0x811c9dc5;
      for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
      return (hash >>> 0).toString(36);
    };
    for (const id of ["3f2c6a52-6c1e-4a52-9d2a-0d3b1f6b9a11", "a", "user:42.x_y-z", "x".repeat(128)])
      expect(ownerTag(id)).toBe(fnv(id));
  });
});

describe("decideSession", () => {
  test("no cookie: the first session, index 1, no previous, written", () => {
    const { stored: next, write } = decideSession(undefined, owner, NOW, TIMEOUT);
    expect(write).toBe(true);
    expect(next.index).toBe(1);
    expect(next.previousSessionId).toBeNull();
    expect(next.startedAtMs).toBe(NOW);
    expect(next.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("fresh activity: kept, nothing written", () => {
    expect(decideSession(stored, owner, NOW, TIMEOUT)).toEqual({ stored, write: false });
  });

  test("activity older than a tenth of the timeout: same session, cookie refreshed", () => {
    const old = { ...stored, lastActivityMs: NOW - TIMEOUT / 10 - 1 };
    const { stored: next, write } = decideSession(old, owner, NOW, TIMEOUT);
    expect(write).toBe(true);
    expect(next).toEqual({ ...old, lastActivityMs: NOW });
  });

  test("exactly a tenth is still fresh", () => {
    const edge = { ...stored, lastActivityMs: NOW - TIMEOUT / 10 };
    expect(decideSession(edge, owner, NOW, TIMEOUT).write).toBe(false);
  });

  test("idle past the timeout: the next session, index + 1, previous = the old one", () => {
    const idle = { ...stored, lastActivityMs: NOW - TIMEOUT - 1 };
    const { stored: next, write } = decideSession(idle, owner, NOW, TIMEOUT);
    expect(write).toBe(true);
    expect(next.index).toBe(4);
    expect(next.previousSessionId).toBe(stored.sessionId);
    expect(next.sessionId).not.toBe(stored.sessionId);
    expect(next.startedAtMs).toBe(NOW);
  });

  test("another anonymous id's cookie: this id's first session", () => {
    const { stored: next } = decideSession(stored, ownerTag("someone-else"), NOW, TIMEOUT);
    expect(next.index).toBe(1);
    expect(next.previousSessionId).toBeNull();
  });

  test("a run of requests 1 s apart under a 30 min timeout never rewrites after the first", () => {
    let current: StoredSession | undefined;
    let writes = 0;
    for (let i = 0; i < 20; i++) {
      const decision = decideSession(current, owner, NOW + i * 1000, TIMEOUT);
      if (decision.write) writes++;
      current = decision.stored;
    }
    expect(writes).toBe(1);
  });

  test("context.session carries Snowplow's client_session names", () => {
    expect(sessionContext(stored)).toEqual({
      sessionId: stored.sessionId,
      sessionIndex: 3,
      previousSessionId: stored.previousSessionId,
      startedAt: new Date(stored.startedAtMs).toISOString(),
    });
  });
});

describe("followBrowserSession", () => {
  const snowplow = {
    sdk: "snowplow" as const,
    sessionId: "8f0e1d2c-3b4a-4958-a7b6-c5d4e3f2a1b0",
    index: 7,
    previousSessionId: "p",
    startedAtMs: NOW - 5000,
  };
  const posthog = {
    sdk: "posthog" as const,
    sessionId: "01a23327-3a48-7f57-81bf-b207306422b2",
    index: undefined,
    previousSessionId: undefined,
    startedAtMs: NOW - 5000,
  };

  test("Snowplow's own index and previous id win, and our cookie follows it", () => {
    const { stored: next, write } = followBrowserSession(stored, snowplow, owner, NOW, TIMEOUT);
    expect(write).toBe(true);
    expect(next).toMatchObject({
      sessionId: snowplow.sessionId,
      index: 7,
      previousSessionId: "p",
      lastActivityMs: NOW,
      owner,
    });
  });

  test("PostHog's session different from ours: index + 1, previous = ours", () => {
    const { stored: next } = followBrowserSession(stored, posthog, owner, NOW, TIMEOUT);
    expect(next).toMatchObject({ sessionId: posthog.sessionId, index: 4, previousSessionId: stored.sessionId });
  });

  test("PostHog without a cookie of ours: index 1, no previous", () => {
    const { stored: next } = followBrowserSession(undefined, posthog, owner, NOW, TIMEOUT);
    expect(next).toMatchObject({ index: 1, previousSessionId: null });
  });

  test("the same PostHog session as ours keeps our index and writes nothing while fresh", () => {
    const ours = { ...stored, sessionId: posthog.sessionId };
    expect(followBrowserSession(ours, posthog, owner, NOW, TIMEOUT)).toEqual({ stored: ours, write: false });
    const stale = { ...ours, lastActivityMs: NOW - TIMEOUT / 5 };
    expect(followBrowserSession(stale, posthog, owner, NOW, TIMEOUT)).toEqual({
      stored: { ...stale, lastActivityMs: NOW },
      write: true,
    });
  });
});
