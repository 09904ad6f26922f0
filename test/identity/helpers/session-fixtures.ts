import { readFileSync } from "node:fs";

interface RecordedCookie {
  name: string;
  value: string;
  domain: string;
  secure: boolean;
  sameSite: string;
  /** True for a cookie without an expiry (ends with the browser session). */
  session: boolean;
}

interface Visit {
  /** Epoch ms right after the visit. */
  at: number;
  cookies: RecordedCookie[];
}

interface BrowserSessionFixtures {
  recordedWith: Record<string, string>;
  snowplow: { sessionCookieTimeoutSeconds: number; first: Visit; expired: Visit; second: Visit };
  posthog: { sessionIdleTimeoutSeconds: number; first: Visit & { result: { sessionId: string } } };
}

/** Session cookies recorded from the real SDKs by test/fixtures/record-browser-sessions.mjs. */
export const sessionFixtures = JSON.parse(
  readFileSync(new URL("../../fixtures/browser-sessions.json", import.meta.url), "utf8"),
) as BrowserSessionFixtures;

/** A visit's cookies as the browser sends them in a `Cookie` header. */
export function cookieHeader(visit: Visit): string {
  return visit.cookies.map((c) => `${c.name}=${c.value}`).join("; ");
}
