import { readFileSync } from "node:fs";

interface RecordedCookie {
  name: string;
  value: string;
  domain: string;
  path: string;
  httpOnly: boolean;
  secure: boolean;
  sameSite: string;
}

interface ForeignCookieFixtures {
  recordedWith: Record<string, string>;
  segment: { result: { anonymousId: string; localStorage: string }; cookies: RecordedCookie[] };
  posthog: {
    result: { anonymous: { distinctId: string; cookie: string }; identified: { distinctId: string; cookie: string } };
    cookies: RecordedCookie[];
  };
  snowplow: { cookies: RecordedCookie[] };
}

/** Cookies recorded from the real browser SDKs by test/fixtures/record-foreign-cookies.mjs. */
export const fixtures = JSON.parse(
  readFileSync(new URL("../../fixtures/foreign-cookies.json", import.meta.url), "utf8"),
) as ForeignCookieFixtures;

const find = (cookies: RecordedCookie[], prefix: string): RecordedCookie => {
  const cookie = cookies.find((c) => c.name.startsWith(prefix));
  if (cookie === undefined) throw new Error(`fixture has no ${prefix} cookie`);
  return cookie;
};

/** `name=value` pairs as a browser would send them in a `Cookie` header. */
export const recorded = {
  segment: find(fixtures.segment.cookies, "ajs_anonymous_id"),
  segmentId: fixtures.segment.result.anonymousId,
  /** Older analytics.js and its localStorage copy: the JSON-quoted id, URL-encoded in a cookie. */
  segmentQuotedValue: encodeURIComponent(fixtures.segment.result.localStorage),
  snowplow: find(fixtures.snowplow.cookies, "_sp_id."),
  posthogAnonymousPair: fixtures.posthog.result.anonymous.cookie,
  posthogIdentifiedPair: fixtures.posthog.result.identified.cookie,
  posthogDeviceId: fixtures.posthog.result.anonymous.distinctId,
};

export const pair = (cookie: RecordedCookie): string => `${cookie.name}=${cookie.value}`;
