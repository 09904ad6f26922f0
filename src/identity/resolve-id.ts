import { generateAnonymousId, isValidAnonymousId } from "./anonymous-id.js";
import { allCookieValues, type RawCookies } from "./cookie-header.js";
import { findPostHogId, findSnowplowId, readSegmentId, SEGMENT_COOKIE } from "./foreign-ids.js";
import type { ResolvedIdentityOptions } from "./options.js";
import type { ResolvedId } from "./types.js";

/**
 * Decide a request's anonymous id: our cookie; else the first valid one among
 * duplicates of it; else an id a browser SDK set; else a new one. Invalid values are
 * skipped, never echoed.
 */
export function resolveAnonymousId(
  cookies: RawCookies,
  cookieHeader: string | string[] | undefined,
  options: ResolvedIdentityOptions,
): ResolvedId {
  const segmentId = options.mirrorSegment || options.readSegment ? readSegmentId(cookies[SEGMENT_COOKIE]) : undefined;
  const own = cookies[options.cookieName];

  // The returning visitor: one lookup, one regex.
  if (own !== undefined && isValidAnonymousId(own)) {
    return { id: own, source: "cookie", writeCookie: options.rolling, segmentId };
  }
  if (own !== undefined) {
    // The first `aid` was bad; a later one may be good (stale copies on other paths or
    // domains). Re-issue it so the browser's first copy becomes the good one.
    const later = allCookieValues(cookieHeader, options.cookieName).find((value) => isValidAnonymousId(value));
    if (later !== undefined) return { id: later, source: "cookie", writeCookie: true, segmentId };
  }

  if (options.readSegment && segmentId !== undefined) {
    return { id: segmentId, source: "segment", writeCookie: true, segmentId };
  }
  if (options.readSnowplow) {
    const id = findSnowplowId(cookies);
    if (id !== undefined) return { id, source: "snowplow", writeCookie: true, segmentId };
  }
  if (options.readPostHog) {
    const id = findPostHogId(cookies);
    if (id !== undefined) return { id, source: "posthog", writeCookie: true, segmentId };
  }
  return { id: generateAnonymousId(), source: "new", writeCookie: true, segmentId };
}
