import { isValidAnonymousId } from "./anonymous-id.js";
import type { RawCookies } from "./cookie-header.js";

/** analytics.js (Segment) keeps its anonymous id in this cookie. */
export const SEGMENT_COOKIE = "ajs_anonymous_id";

const SNOWPLOW_PREFIX = "_sp_id.";
const POSTHOG_PREFIX = "ph_";
const POSTHOG_SUFFIX = "_posthog";

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The id in a Segment `ajs_anonymous_id` value, or undefined. analytics.js 1.84 writes
 * the id raw; older versions (and its localStorage copy) JSON-quote it, and the quotes
 * travel URL-encoded (`%22abc%22`).
 */
export function readSegmentId(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  if (isValidAnonymousId(raw)) return raw;
  const decoded = raw.includes("%") ? safeDecode(raw) : raw;
  if (decoded === undefined) return undefined;
  const unquoted = decoded.startsWith('"') ? parseJson(decoded) : decoded;
  return isValidAnonymousId(unquoted) ? (unquoted as string) : undefined;
}

/**
 * The id in a Snowplow `_sp_id.<hash>` value: its first dot-separated field (the
 * domain user id; the other nine are counters, times and session ids).
 */
export function readSnowplowId(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const dot = raw.indexOf(".");
  const first = dot === -1 ? raw : raw.slice(0, dot);
  return isValidAnonymousId(first) ? first : undefined;
}

/**
 * The anonymous id in a PostHog `ph_<token>_posthog` value (URL-encoded JSON).
 * `$device_id` is the device's own id. `distinct_id` is only anonymous until
 * `posthog.identify()` makes it the user's id, so it is taken only when there is no
 * `$device_id` and the state does not say the user is identified.
 */
export function readPostHogId(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.length === 0) return undefined;
  const decoded = safeDecode(raw);
  if (decoded === undefined) return undefined;
  const data = parseJson(decoded);
  if (data === null || typeof data !== "object") return undefined;
  const record = data as Record<string, unknown>;
  if (record.$device_id !== undefined && record.$device_id !== null) {
    return isValidAnonymousId(record.$device_id) ? (record.$device_id as string) : undefined;
  }
  if (record.$user_state === "identified") return undefined;
  return isValidAnonymousId(record.distinct_id) ? (record.distinct_id as string) : undefined;
}

/** The first valid id among cookies whose names match, in header order. */
function firstMatching(
  cookies: RawCookies,
  matches: (name: string) => boolean,
  read: (raw: string | undefined) => string | undefined,
): string | undefined {
  for (const name in cookies) {
    if (!matches(name)) continue;
    const id = read(cookies[name]);
    if (id !== undefined) return id;
  }
  return undefined;
}

const isSnowplowName = (name: string): boolean => name.startsWith(SNOWPLOW_PREFIX);
const isPostHogName = (name: string): boolean =>
  name.length > POSTHOG_PREFIX.length + POSTHOG_SUFFIX.length &&
  name.startsWith(POSTHOG_PREFIX) &&
  name.endsWith(POSTHOG_SUFFIX);

export function findSnowplowId(cookies: RawCookies): string | undefined {
  return firstMatching(cookies, isSnowplowName, readSnowplowId);
}

export function findPostHogId(cookies: RawCookies): string | undefined {
  return firstMatching(cookies, isPostHogName, readPostHogId);
}
