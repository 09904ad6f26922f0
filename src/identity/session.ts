import { randomUUID } from "node:crypto";
import { MAX_SESSION_INDEX } from "./session-cookie.js";

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

/** What a request does with its session: the session it is in, and whether the cookie must be written. */
export interface SessionDecision {
  stored: StoredSession;
  write: boolean;
}

export function newStoredSession(owner: string, nowMs: number, after: StoredSession | undefined): StoredSession {
  return {
    sessionId: randomUUID(),
    index: after === undefined ? 1 : Math.min(after.index + 1, MAX_SESSION_INDEX),
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
  if (nowMs - stored.lastActivityMs > timeoutMs) return { stored: newStoredSession(owner, nowMs, stored), write: true };
  if (!isFresh(stored, nowMs, timeoutMs)) return { stored: { ...stored, lastActivityMs: nowMs }, write: true };
  return { stored, write: false };
}

/** The cookie was written recently enough to need no rewrite (see {@link decideSession}). */
export function isFresh(stored: StoredSession, nowMs: number, timeoutMs: number): boolean {
  return nowMs - stored.lastActivityMs <= timeoutMs / 10;
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
    if (same && isFresh(ours, nowMs, timeoutMs)) return { stored: ours, write: false };
    return { stored: { ...ours, index, previousSessionId, lastActivityMs: nowMs }, write: true };
  }
  const next: StoredSession = {
    sessionId: browser.sessionId,
    index: browser.index ?? (ours === undefined ? 1 : Math.min(ours.index + 1, MAX_SESSION_INDEX)),
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
