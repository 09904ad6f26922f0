import type { RawCookies } from "./cookie-header.js";
import type { BrowserSession } from "./session.js";
import { isValidSessionId } from "./session-cookie.js";

const SNOWPLOW_ID = "_sp_id.";
const SNOWPLOW_SESSION = "_sp_ses.";
const POSTHOG_PREFIX = "ph_";
const POSTHOG_SUFFIX = "_posthog";

/** PostHog's idle timeout when its cookie does not say (posthog-js's own default). */
export const POSTHOG_DEFAULT_IDLE_MS = 30 * 60 * 1000;
/** posthog-js ends every session after 24 hours, idle or not. */
export const POSTHOG_MAX_SESSION_MS = 24 * 60 * 60 * 1000;

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const DIGITS = /^\d{1,15}$/;

/**
 * The session in a Snowplow `_sp_id.<hash>` value (ten dot-separated fields: domain user
 * id, created, visit count, this visit's start in seconds, last visit, session id,
 * previous session id, first event id and time, event index), or undefined.
 */
export function readSnowplowSession(raw: string | undefined): BrowserSession | undefined {
  if (raw === undefined) return undefined;
  const fields = raw.split(".");
  if (fields.length < 7) return undefined;
  const visitCount = fields[2]!;
  const visitStart = fields[3]!;
  const sessionId = fields[5]!;
  const previous = fields[6]!;
  if (!isValidSessionId(sessionId) || !DIGITS.test(visitCount) || !DIGITS.test(visitStart)) return undefined;
  if (previous !== "" && !isValidSessionId(previous)) return undefined;
  const index = Number(visitCount);
  if (index < 1) return undefined;
  return {
    sdk: "snowplow",
    sessionId,
    index,
    previousSessionId: previous === "" ? null : previous,
    startedAtMs: Number(visitStart) * 1000,
  };
}

/**
 * Snowplow's live session: `_sp_ses.<hash>` only exists while the tracker's session
 * does (it expires after the inactivity timeout), so without it the session in
 * `_sp_id.<hash>` is a stale one the tracker will replace when it next runs in the page.
 */
export function findSnowplowSession(cookies: RawCookies): BrowserSession | undefined {
  for (const name in cookies) {
    if (!name.startsWith(SNOWPLOW_ID)) continue;
    const hash = name.slice(SNOWPLOW_ID.length);
    if (cookies[SNOWPLOW_SESSION + hash] === undefined) continue;
    const session = readSnowplowSession(cookies[name]);
    if (session !== undefined) return session;
  }
  return undefined;
}

function decodeJson(raw: string): unknown {
  try {
    return JSON.parse(decodeURIComponent(raw));
  } catch {
    return undefined;
  }
}

/**
 * The live session in a PostHog `ph_<token>_posthog` value: `$sesid` is
 * `[lastActivityMs, sessionId, sessionStartMs]`. PostHog keeps it in a one-year cookie
 * and has no "session alive" cookie, so it counts only while its last activity is within
 * the idle timeout (`$configured_session_timeout_ms`, else 30 min) and it started less
 * than 24 h ago. PostHog counts no sessions: index and previous id are left to ours.
 */
export function readPostHogSession(raw: string | undefined, nowMs: number): BrowserSession | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  const data = decodeJson(raw);
  if (data === null || typeof data !== "object") return undefined;
  const record = data as Record<string, unknown>;
  const sesid = record.$sesid;
  if (!Array.isArray(sesid) || sesid.length < 3) return undefined;
  const [lastActivityMs, sessionId, startedAtMs] = sesid as unknown[];
  if (typeof sessionId !== "string" || !UUID_V7.test(sessionId)) return undefined;
  if (typeof lastActivityMs !== "number" || typeof startedAtMs !== "number") return undefined;
  if (!Number.isFinite(lastActivityMs) || !Number.isFinite(startedAtMs) || startedAtMs > lastActivityMs)
    return undefined;
  const configured = record.$configured_session_timeout_ms;
  const idleMs = typeof configured === "number" && configured > 0 ? configured : POSTHOG_DEFAULT_IDLE_MS;
  if (nowMs - lastActivityMs > idleMs || nowMs - startedAtMs > POSTHOG_MAX_SESSION_MS) return undefined;
  return {
    sdk: "posthog",
    sessionId: sessionId.toLowerCase(),
    index: undefined,
    previousSessionId: undefined,
    startedAtMs,
  };
}

export function findPostHogSession(cookies: RawCookies, nowMs: number): BrowserSession | undefined {
  for (const name in cookies) {
    if (name.length <= POSTHOG_PREFIX.length + POSTHOG_SUFFIX.length) continue;
    if (!name.startsWith(POSTHOG_PREFIX) || !name.endsWith(POSTHOG_SUFFIX)) continue;
    const session = readPostHogSession(cookies[name], nowMs);
    if (session !== undefined) return session;
  }
  return undefined;
}

/** The browser's live session, Snowplow's first (it counts sessions itself), then PostHog's. */
export function findBrowserSession(
  cookies: RawCookies,
  nowMs: number,
  sdks: { snowplow: boolean; posthog: boolean },
): BrowserSession | undefined {
  return (
    (sdks.snowplow ? findSnowplowSession(cookies) : undefined) ??
    (sdks.posthog ? findPostHogSession(cookies, nowMs) : undefined)
  );
}
