/**
 * The session cookie's value: `id.index.startedAtMs.lastActivityMs.previousId.owner`,
 * cookie-safe and written raw. Read on every request with sessions on (the returning
 * visitor's hot path), so it is read by a scanner rather than a regular expression: one
 * pass over the characters, numbers summed as they go, no match array, no `Number()` of a
 * 13-digit string (V8 has no fast path for numbers past the array-index range). Same
 * language as {@link SESSION_COOKIE_PATTERN}, which the tests hold it to.
 */
import type { StoredSession } from "./session.js";

/**
 * The format as a regular expression: the specification the scanner implements (tests
 * compare the two on every case and on mutated values).
 */
export const SESSION_COOKIE_PATTERN =
  /^([A-Za-z0-9_-]{1,64})\.(\d{1,10})\.(\d{1,15})\.(\d{1,15})\.([A-Za-z0-9_-]{0,64})\.([0-9a-z]{1,8})$/;

/** A cookie that claims activity further ahead than this is garbage, not clock skew. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
export const MAX_SESSION_INDEX = 1_000_000_000;
/** Longer than any value we write (~110 characters): someone else's data. */
const MAX_VALUE_LENGTH = 200;
const DOT = 46;

/** `A-Za-z0-9_-`: the characters of a session id. */
function isSessionIdChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 95;
}

/** Session ids we accept from a cookie: 1–64 of `A-Za-z0-9_-` (UUID-like, without our field separator). */
export function isValidSessionId(value: unknown): value is string {
  if (typeof value !== "string" || value.length === 0 || value.length > 64) return false;
  return sessionIdRun(value, 0) === value.length;
}

/** How many session-id characters `text` has from `at` on, before `limit`. */
function sessionIdRun(text: string, at: number, limit = text.length): number {
  let end = at;
  while (end < limit && isSessionIdChar(text.charCodeAt(end))) end++;
  return end - at;
}

// Where the last `readDigits` stopped: a module-level cursor rather than a returned pair,
// so reading a number allocates nothing (single-threaded, used only within one call).
let cursor = 0;

/** The decimal number of 1 to `maxDigits` digits at `at`, followed by a dot before `limit`; -1 if there is none. */
function readDigits(text: string, at: number, limit: number, maxDigits: number): number {
  let value = 0;
  let end = at;
  for (; end < limit; end++) {
    const c = text.charCodeAt(end);
    if (c < 48 || c > 57) break;
    value = value * 10 + (c - 48);
  }
  const digits = end - at;
  if (digits < 1 || digits > maxDigits || end >= limit || text.charCodeAt(end) !== DOT) return -1;
  cursor = end + 1;
  return value;
}

/** The session cookie's value, or undefined when it is absent or anything but our own format. */
export function parseSessionCookie(raw: string | undefined, nowMs: number): StoredSession | undefined {
  return raw === undefined ? undefined : parseSessionCookieIn(raw, 0, raw.length, nowMs);
}

/**
 * {@link parseSessionCookie} of `text.slice(start, end)`, read where it lies. Why: the
 * returning visitor's check reads the value inside the `Cookie` header the HTTP parser
 * made (a flat string), and a slice of it is an indirect string whose every
 * `charCodeAt` costs more: on Node 24 the scan took ~420 ns on a slice against ~250 ns
 * on a flat string (bench/SCOPE.md, round 6).
 */
export function parseSessionCookieIn(
  text: string,
  start: number,
  end: number,
  nowMs: number,
): StoredSession | undefined {
  const length = end - start;
  if (length <= 0 || length > MAX_VALUE_LENGTH) return undefined;
  const idLength = sessionIdRun(text, start, end);
  const idEnd = start + idLength;
  if (idLength < 1 || idLength > 64 || idEnd >= end || text.charCodeAt(idEnd) !== DOT) return undefined;
  const index = readDigits(text, idEnd + 1, end, 10);
  if (index === -1) return undefined;
  const startedAtMs = readDigits(text, cursor, end, 15);
  if (startedAtMs === -1) return undefined;
  const lastActivityMs = readDigits(text, cursor, end, 15);
  if (lastActivityMs === -1) return undefined;
  const previousAt = cursor;
  const previousLength = sessionIdRun(text, previousAt, end);
  const ownerAt = previousAt + previousLength + 1;
  if (previousLength > 64 || ownerAt > end || text.charCodeAt(ownerAt - 1) !== DOT) return undefined;
  const ownerLength = end - ownerAt;
  if (ownerLength < 1 || ownerLength > 8) return undefined;
  for (let i = ownerAt; i < end; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 122))) return undefined;
  }
  if (index < 1 || index > MAX_SESSION_INDEX) return undefined;
  if (startedAtMs > lastActivityMs || lastActivityMs > nowMs + MAX_CLOCK_SKEW_MS) return undefined;
  return {
    sessionId: text.slice(start, idEnd),
    index,
    previousSessionId: previousLength === 0 ? null : text.slice(previousAt, previousAt + previousLength),
    startedAtMs,
    lastActivityMs,
    owner: text.slice(ownerAt, end),
  };
}

export function formatSessionCookie(stored: StoredSession): string {
  return `${stored.sessionId}.${stored.index}.${stored.startedAtMs}.${stored.lastActivityMs}.${stored.previousSessionId ?? ""}.${stored.owner}`;
}

/** FNV-1a, 32 bits, of an anonymous id: the number behind its {@link ownerTag}. */
export function ownerHash(anonymousId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < anonymousId.length; i++) {
    hash ^= anonymousId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * A short, stable tag of an anonymous id (its {@link ownerHash} in base 36): enough to
 * notice that the session cookie belongs to another id, without writing the id twice.
 */
export function ownerTag(anonymousId: string): string {
  return base36(ownerHash(anonymousId));
}

/**
 * `tag === base36(hash)`, without building the text: a returning visitor's session check
 * compares numbers. Only the canonical spelling counts (no leading zero), as for the text.
 */
export function isOwnerTagOf(tag: string, hash: number): boolean {
  if (tag.length === 0 || tag.length > 7 || (tag.length > 1 && tag.charCodeAt(0) === 48)) return false;
  let value = 0;
  for (let i = 0; i < tag.length; i++) {
    const c = tag.charCodeAt(i);
    if (c >= 48 && c <= 57) value = value * 36 + (c - 48);
    else if (c >= 97 && c <= 122) value = value * 36 + (c - 87);
    else return false;
  }
  return value === hash;
}

const BASE36_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

/**
 * `n.toString(36)` for an unsigned 32-bit `n`, the same text. Why by hand: V8's radix
 * `toString` goes through its double-to-string path (~250 ns, measured on Node 20 and 24),
 * and every request with sessions on computes one; this loop costs a few ns a digit.
 */
export function base36(n: number): string {
  let text = "";
  do {
    const quotient = Math.floor(n / 36);
    text = BASE36_DIGITS[n - quotient * 36]! + text;
    n = quotient;
  } while (n > 0);
  return text;
}
