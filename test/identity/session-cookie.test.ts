import { describe, expect, test } from "vitest";
import { parseCookieHeader } from "../../src/identity/cookie-header.js";
import { resolveIdentityOptions } from "../../src/identity/options.js";
import { decideSession, type StoredSession } from "../../src/identity/session.js";
import {
  base36,
  formatSessionCookie,
  isOwnerTagOf,
  isValidSessionId,
  ownerHash,
  ownerTag,
  parseSessionCookie,
  parseSessionCookieIn,
  SESSION_COOKIE_PATTERN,
} from "../../src/identity/session-cookie.js";
import { SessionKeeper } from "../../src/identity/session-keeper.js";

const NOW = Date.UTC(2026, 11, 2, 6, 0, 0);
const TIMEOUT = 1800_000;
const AID = "3f2c6a52-6c1e-4a52-9d2a-0d3b1f6b9a11";
const stored: StoredSession = {
  sessionId: "6b3e1f0a-2c4d-4e5f-8a9b-0c1d2e3f4a5b",
  index: 3,
  previousSessionId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  startedAtMs: NOW - 600_000,
  lastActivityMs: NOW - 60_000,
  owner: ownerTag(AID),
};

/** The parser as it was, a regular expression and `Number()`: what the scanner must agree with. */
function reference(raw: string | undefined, nowMs: number): StoredSession | undefined {
  if (raw === undefined || raw.length === 0 || raw.length > 200) return undefined;
  const match = SESSION_COOKIE_PATTERN.exec(raw);
  if (match === null) return undefined;
  const index = Number(match[2]);
  const startedAtMs = Number(match[3]);
  const lastActivityMs = Number(match[4]);
  if (index < 1 || index > 1_000_000_000) return undefined;
  if (startedAtMs > lastActivityMs || lastActivityMs > nowMs + 5 * 60 * 1000) return undefined;
  return {
    sessionId: match[1]!,
    index,
    previousSessionId: match[5] === "" ? null : match[5]!,
    startedAtMs,
    lastActivityMs,
    owner: match[6]!,
  };
}

/** A small deterministic generator (xorshift), so a failing mutation is the same on every run. */
function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const valid = formatSessionCookie(stored);
const first = formatSessionCookie({ ...stored, index: 1, previousSessionId: null });
const id64 = "a".repeat(64);

/**
 * `raw` read where it lies inside a Cookie header, between neighbours that would extend
 * its runs (digits, dots, owner characters) if the scanner read past either end.
 */
function parsedInHeader(raw: string): StoredSession | undefined {
  const before = "aid=9.9; x=7.";
  const header = `${before}${raw}.0.7a; aid_session=${valid}`;
  return parseSessionCookieIn(header, before.length, before.length + raw.length, NOW);
}

describe("the session cookie scanner reads exactly the regular expression's language", () => {
  test.each([
    ["ours", valid],
    ["a first session (no previous id)", first],
    ["leading zeros in the numbers", `s.0003.0${NOW - 5}.00${NOW - 1}..${stored.owner}`],
    ["a 64-character id", `${id64}.1.${NOW}.${NOW}..x`],
    ["a 65-character id", `${id64}b.1.${NOW}.${NOW}..x`],
    ["a 64-character previous id", `s.2.${NOW}.${NOW}.${id64}.x`],
    ["a 65-character previous id", `s.2.${NOW}.${NOW}.${id64}b.x`],
    ["a 10-digit index", `s.1000000000.${NOW}.${NOW}..x`],
    ["an index past the limit", `s.1000000001.${NOW}.${NOW}..x`],
    ["an 11-digit index", `s.10000000000.${NOW}.${NOW}..x`],
    ["15-digit times", `s.1.000${NOW}.000${NOW}..x`],
    ["16-digit times", `s.1.0000${NOW}.0000${NOW}..x`],
    ["an empty number", `s.1..${NOW}..x`],
    ["an 8-character owner", `s.1.${NOW}.${NOW}..abcdefgh`],
    ["a 9-character owner", `s.1.${NOW}.${NOW}..abcdefghi`],
    ["an empty owner", `s.1.${NOW}.${NOW}..`],
    ["a capital in the owner", `s.1.${NOW}.${NOW}..aBc`],
    ["a trailing dot", `${valid}.`],
    ["a seventh field", `${valid}.x`],
    ["a leading dot", `.${valid}`],
    ["an empty id", `.1.${NOW}.${NOW}..x`],
    ["a space inside", valid.replace(".3.", ". 3.")],
    ["CR LF inside", valid.replace(".3.", ".3\r\n.")],
    ["a non-ASCII digit", valid.replace(".3.", ".٣.")],
    ["a plus sign before a number", valid.replace(".3.", ".+3.")],
    ["an exponent", `s.1e2.${NOW}.${NOW}..x`],
    ["start after the last activity", `s.1.${NOW}.${NOW - 1}..x`],
    ["activity 5 minutes ahead", `s.1.${NOW}.${NOW + 300_000}..x`],
    ["activity more than 5 minutes ahead", `s.1.${NOW}.${NOW + 300_001}..x`],
    ["200 characters", `${"a".repeat(200 - `.1.${NOW}.${NOW}..x`.length)}.1.${NOW}.${NOW}..x`],
    ["201 characters", `${"a".repeat(201 - `.1.${NOW}.${NOW}..x`.length)}.1.${NOW}.${NOW}..x`],
    ["empty", ""],
  ])("%s", (_, raw) => {
    expect(parseSessionCookie(raw, NOW)).toEqual(reference(raw, NOW));
    expect(parsedInHeader(raw)).toEqual(reference(raw, NOW));
  });

  test("absent", () => {
    expect(parseSessionCookie(undefined, NOW)).toBeUndefined();
  });

  test("agrees on 20 000 mutations of valid values (characters deleted, doubled, replaced)", () => {
    const random = generator(0x5e55);
    const alphabet = "0123456789abcxyzABZ_-.%;= \u00e9";
    const seeds = [valid, first, `s.1.${NOW}.${NOW}..0`];
    const disagreements: string[] = [];
    let accepted = 0;
    for (let i = 0; i < 20_000; i++) {
      let raw = seeds[i % seeds.length]!;
      for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
        const at = Math.floor(random() * (raw.length + 1));
        const char = alphabet[Math.floor(random() * alphabet.length)]!;
        const kind = random();
        if (kind < 0.33) raw = raw.slice(0, at) + raw.slice(at + 1);
        else if (kind < 0.66) raw = raw.slice(0, at) + char + raw.slice(at);
        else raw = raw.slice(0, at) + char + raw.slice(at + 1);
      }
      const expected = reference(raw, NOW);
      if (expected !== undefined) accepted++;
      if (JSON.stringify(parseSessionCookie(raw, NOW)) !== JSON.stringify(expected)) disagreements.push(raw);
      if (JSON.stringify(parsedInHeader(raw)) !== JSON.stringify(expected)) disagreements.push(`in a header: ${raw}`);
    }
    expect(disagreements).toEqual([]);
    // The mutations reach both sides of the language, not only garbage.
    expect(accepted).toBeGreaterThan(1000);
    expect(accepted).toBeLessThan(19_000);
  });
});

describe("isOwnerTagOf", () => {
  const hashes = [
    0,
    1,
    10,
    35,
    36,
    2 ** 31,
    2 ** 32 - 1,
    ...Array.from({ length: 100 }, (_, i) => ownerHash(`id-${i}`)),
  ];

  test("is `tag === base36(hash)` for every hash and its own tag, a neighbour's, and garbage", () => {
    const wrong: string[] = [];
    for (const hash of hashes) {
      const own = base36(hash);
      for (const tag of [own, base36((hash + 1) >>> 0), `0${own}`, own.toUpperCase(), `${own}z`, "", "a", "0"]) {
        if (isOwnerTagOf(tag, hash) !== (tag === own)) wrong.push(`${tag} / ${hash}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  test.each([
    ["an 8-character tag", "zzzzzzzz"],
    ["a dot", "a.b"],
    ["a non-ASCII letter", "\u00e9"],
  ])("refuses %s", (_, tag) => {
    expect(hashes.some((hash) => isOwnerTagOf(tag, hash))).toBe(false);
  });

  test("ownerTag is base36 of ownerHash", () => {
    expect(ownerTag(AID)).toBe(base36(ownerHash(AID)));
    expect(isOwnerTagOf(ownerTag(AID), ownerHash(AID))).toBe(true);
  });
});

describe("isValidSessionId", () => {
  test.each([
    ["a UUID", "6b3e1f0a-2c4d-4e5f-8a9b-0c1d2e3f4a5b", true],
    ["64 characters", id64, true],
    ["underscores and dashes", "a_b-C9", true],
    ["65 characters", `${id64}b`, false],
    ["empty", "", false],
    ["a dot", "a.b", false],
    ["a space", "a b", false],
    ["a number", 42, false],
    ["undefined", undefined, false],
  ])("%s: %s", (_, value, expected) => {
    expect(isValidSessionId(value)).toBe(expected);
  });
});

describe("SessionKeeper.unchanged (the returning visitor's check)", () => {
  const keeper = new SessionKeeper({ timeoutMs: TIMEOUT, cookieName: "aid_session" }, resolveIdentityOptions({}));
  const header = (value: string) => `aid=${AID}; theme=dark; aid_session=${value}`;
  const at = (lastActivityMs: number, owner = stored.owner) =>
    formatSessionCookie({
      ...stored,
      startedAtMs: Math.min(stored.startedAtMs, lastActivityMs),
      lastActivityMs,
      owner,
    });

  test.each([
    ["written a minute ago", at(NOW - 60_000)],
    ["written exactly a tenth of the timeout ago", at(NOW - TIMEOUT / 10)],
    ["written just past a tenth of the timeout", at(NOW - TIMEOUT / 10 - 1)],
    ["idle past the timeout", at(NOW - TIMEOUT - 1)],
    ["another id's", at(NOW - 60_000, ownerTag("someone-else"))],
    ["kept under anonymous consent", at(NOW - 60_000, "a")],
    ["with a leading zero on its owner", at(NOW - 60_000, `0${stored.owner}`)],
    ["written a minute ahead (clock skew)", at(NOW + 60_000)],
    ["garbage", "not-a-session"],
  ])("%s: nothing to write exactly when decideSession says so", (_, value) => {
    const decision = decideSession(parseSessionCookie(value, NOW), ownerTag(AID), NOW, TIMEOUT);
    expect(keeper.unchanged(header(value), AID, NOW)).toEqual(decision.write ? undefined : decision.stored);
  });

  test("the value is read where it lies: the first session cookie, wherever it stands in the header", () => {
    const value = at(NOW - 60_000);
    const expected = parseSessionCookie(value, NOW);
    expect(keeper.unchanged(`aid_session=${value}`, AID, NOW)).toEqual(expected);
    expect(keeper.unchanged(`aid_session=${value}; aid=${AID}`, AID, NOW)).toEqual(expected);
    expect(keeper.unchanged(`x=1;   aid_session=${value};theme=dark`, AID, NOW)).toEqual(expected);
    expect(keeper.unchanged(`${header(value)}; aid_session=garbage`, AID, NOW)).toEqual(expected);
    // A name that only ends in ours is not ours.
    expect(keeper.unchanged(`xaid_session=${value}`, AID, NOW)).toBeUndefined();
  });

  test.each([
    ["a space before the value", (value: string) => `aid=${AID}; aid_session= ${value}`],
    ["a space after the value", (value: string) => `aid=${AID}; aid_session=${value} ; theme=dark`],
    ["a space before =", (value: string) => `aid=${AID}; aid_session =${value}`],
  ])("%s: the quick check says no, and the full path still writes nothing", (_, shape) => {
    const value = at(NOW - 60_000);
    expect(keeper.unchanged(shape(value), AID, NOW)).toBeUndefined();
    const full = keeper.forId(parseCookieHeader(shape(value)), AID, NOW, false);
    expect(full).toEqual({ stored: parseSessionCookie(value, NOW), line: undefined });
  });

  test("no session cookie, or a Cookie header the quick scan cannot read, takes the full path", () => {
    expect(keeper.unchanged(`aid=${AID}`, AID, NOW)).toBeUndefined();
    expect(keeper.unchanged([header(at(NOW))], AID, NOW)).toBeUndefined();
    expect(keeper.unchanged(undefined, AID, NOW)).toBeUndefined();
  });
});
