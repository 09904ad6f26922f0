import { randomUUID } from "node:crypto";

/**
 * `context.session`, named as Snowplow's `client_session` entity names its fields:
 * `sessionIndex` counts the anonymous id's sessions from 1, `previousSessionId` is null
 * on the first, `startedAt` an ISO time.
 */
export interface Session {
  sessionId: string;
  sessionIndex: number;
  previousSessionId: string | null;
  startedAt: string;
}

/**
 * What the session cookie holds. It outlives the session it describes (it lives as
 * long as `aid`), so the index and the previous id survive an ended session.
 */
export interface StoredSession {
  sessionId: string;
  index: number;
  previousSessionId: string | null;
  startedAtMs: number;
  /** When the cookie was last written, not the last request: see {@link decideSession}. */
  lastActivityMs: number;
  /**
   * Whose session this is: a short tag of the anonymous id (a session belongs to one
   * id: a new or reset id starts again at index 1), or {@link ANONYMOUS_OWNER} for a
   * session kept under `anonymous` consent, whose cookie ends with the browser session.
   */
  owner: string;
}

/** The owner tag of sessions kept under `anonymous` consent (their id is the anonymous id). */
export const ANONYMOUS_OWNER = "a";

/** Session ids we accept from a cookie: UUID-like text without our field separator. */
const SESSION_ID = /^[A-Za-z0-9_-]{1,64}$/;
/** A cookie that claims activity further ahead than this is garbage, not clock skew. */
const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;
const MAX_INDEX = 1_000_000_000;

export function isValidSessionId(value: unknown): value is string {
  return typeof value === "string" && SESSION_ID.test(value);
}

/**
 * A short, stable tag of an anonymous id (FNV-1a, 32 bits, base 36): enough to notice
 * that the session cookie belongs to another id, without writing the id twice.
 */
export function ownerTag(anonymousId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < anonymousId.length; i++) {
    hash ^= anonymousId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return base36(hash >>> 0);
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

/** `id.index.startedAtMs.lastActivityMs.previousId.owner`: cookie-safe, written raw. */
export function formatSessionCookie(stored: StoredSession): string {
  return `${stored.sessionId}.${stored.index}.${stored.startedAtMs}.${stored.lastActivityMs}.${stored.previousSessionId ?? ""}.${stored.owner}`;
}

// The whole format in one expression: one `exec` per returning request instead of a
// split and six tests (the session cookie is read on every request, the hot path).
const SESSION_COOKIE =
  /^([A-Za-z0-9_-]{1,64})\.(\d{1,10})\.(\d{1,15})\.(\d{1,15})\.([A-Za-z0-9_-]{0,64})\.([0-9a-z]{1,8})$/;

/** The session cookie's value, or undefined when it is absent or anything but our own format. */
export function parseSessionCookie(raw: string | undefined, nowMs: number): StoredSession | undefined {
  if (raw === undefined || raw.length === 0 || raw.length > 200) return undefined;
  const match = SESSION_COOKIE.exec(raw);
  if (match === null) return undefined;
  const index = Number(match[2]);
  const startedAtMs = Number(match[3]);
  const lastActivityMs = Number(match[4]);
  if (index < 1 || index > MAX_INDEX) return undefined;
  if (startedAtMs > lastActivityMs || lastActivityMs > nowMs + MAX_CLOCK_SKEW_MS) return undefined;
  return {
    sessionId: match[1]!,
    index,
    previousSessionId: match[5] === "" ? null : match[5]!,
    startedAtMs,
    lastActivityMs,
    owner: match[6]!,
  };
}

/** What a request does with its session: the session it is in, and whether the cookie must be written. */
export interface SessionDecision {
  stored: StoredSession;
  write: boolean;
}

export function newStoredSession(owner: string, nowMs: number, after: StoredSession | undefined): StoredSession {
  return {
    sessionId: randomUUID(),
    index: after === undefined ? 1 : Math.min(after.index + 1, MAX_INDEX),
    previousSessionId: after === undefined ? null : after.sessionId,
    startedAtMs: nowMs,
    lastActivityMs: nowMs,
    owner,
  };
}

/**
 * Our own session for a request at `nowMs`. A session ends after `timeoutMs` without
 * a request; the cookie is rewritten only when its stored activity time is older than a
 * tenth of the timeout, so a returning visitor costs no `Set-Cookie` on most responses
 * (and a session may end up to 10% early, never late).
 */
export function decideSession(
  stored: StoredSession | undefined,
  owner: string,
  nowMs: number,
  timeoutMs: number,
): SessionDecision {
  // Absent, garbage, or another id's: this id's first session.
  if (stored === undefined || stored.owner !== owner)
    return { stored: newStoredSession(owner, nowMs, undefined), write: true };
  const idle = nowMs - stored.lastActivityMs;
  if (idle > timeoutMs) return { stored: newStoredSession(owner, nowMs, stored), write: true };
  if (idle > timeoutMs / 10) return { stored: { ...stored, lastActivityMs: nowMs }, write: true };
  return { stored, write: false };
}

/** A session a browser SDK is keeping: its index and previous id when the SDK counts them. */
export interface BrowserSession {
  sdk: "snowplow" | "posthog";
  sessionId: string;
  /** Undefined when the SDK does not count sessions (PostHog): ours supplies it. */
  index: number | undefined;
  previousSessionId: string | null | undefined;
  startedAtMs: number;
}

/**
 * Follow a live browser session, keeping our own cookie on it (same refresh rule), so
 * the thread holds if the browser's cookies go away. An SDK without an index or a
 * previous id (PostHog) takes them from our cookie: the same session keeps ours; a
 * different one is the next after ours.
 */
export function followBrowserSession(
  stored: StoredSession | undefined,
  browser: BrowserSession,
  owner: string,
  nowMs: number,
  timeoutMs: number,
): SessionDecision {
  const ours = stored !== undefined && stored.owner === owner ? stored : undefined;
  if (ours !== undefined && ours.sessionId === browser.sessionId) {
    const index = browser.index ?? ours.index;
    const previousSessionId =
      browser.previousSessionId === undefined ? ours.previousSessionId : browser.previousSessionId;
    const same = index === ours.index && previousSessionId === ours.previousSessionId;
    if (same && nowMs - ours.lastActivityMs <= timeoutMs / 10) return { stored: ours, write: false };
    return { stored: { ...ours, index, previousSessionId, lastActivityMs: nowMs }, write: true };
  }
  const next: StoredSession = {
    sessionId: browser.sessionId,
    index: browser.index ?? (ours === undefined ? 1 : Math.min(ours.index + 1, MAX_INDEX)),
    previousSessionId: browser.previousSessionId !== undefined ? browser.previousSessionId : (ours?.sessionId ?? null),
    startedAtMs: Math.min(browser.startedAtMs, nowMs),
    lastActivityMs: nowMs,
    owner,
  };
  return { stored: next, write: true };
}

/** `context.session` for a stored session. */
export function sessionContext(stored: StoredSession): Session {
  return {
    sessionId: stored.sessionId,
    sessionIndex: stored.index,
    previousSessionId: stored.previousSessionId,
    startedAt: new Date(stored.startedAtMs).toISOString(),
  };
}
