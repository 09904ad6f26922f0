import { findBrowserSession } from "./browser-sessions.js";
import { cookieValueEnd, cookieValueStart, type RawCookies } from "./cookie-header.js";
import type { ResolvedIdentityOptions } from "./options.js";
import {
  ANONYMOUS_OWNER,
  decideSession,
  followBrowserSession,
  isFresh,
  type SessionDecision,
  type StoredSession,
} from "./session.js";
import {
  formatSessionCookie,
  isOwnerTagOf,
  ownerHash,
  ownerTag,
  parseSessionCookie,
  parseSessionCookieIn,
} from "./session-cookie.js";
import { setCookieSuffix } from "./set-cookie.js";

/** A request's session and the `Set-Cookie` line it needs, if any. */
export interface SessionOutcome {
  stored: StoredSession;
  line: string | undefined;
}

/**
 * The session cookie of one middleware: which session a request is in, and when the
 * cookie must be (re)written. Same attributes and `Secure` rule as `aid`; it lives as
 * long as `aid`, except under `anonymous` consent, where it ends with the browser session.
 */
export class SessionKeeper {
  readonly cookieName: string;
  readonly timeoutMs: number;
  /** `name=`, what the returning visitor's check looks for (built once). */
  private readonly needle: string;
  private readonly persistent: [string, string];
  private readonly browserOnly: [string, string];
  private readonly expired: [string, string];
  private readonly sdks: { snowplow: boolean; posthog: boolean };

  constructor(session: { timeoutMs: number; cookieName: string }, options: ResolvedIdentityOptions) {
    this.cookieName = session.cookieName;
    this.timeoutMs = session.timeoutMs;
    this.needle = `${this.cookieName}=`;
    const base = { domain: options.domain, httpOnly: options.httpOnly };
    // Suffixes built once, as for `aid`: the per-request cost is one concatenation.
    const both = (maxAgeSeconds: number | undefined): [string, string] => [
      setCookieSuffix(this.cookieName, { ...base, maxAgeSeconds, secure: false }),
      setCookieSuffix(this.cookieName, { ...base, maxAgeSeconds, secure: true }),
    ];
    this.persistent = both(options.maxAgeSeconds);
    this.browserOnly = both(undefined);
    this.expired = both(0);
    this.sdks = { snowplow: options.readSnowplow, posthog: options.readPostHog };
  }

  /**
   * The returning visitor's session when nothing needs writing, found without parsing
   * the whole header; undefined sends the request down the full path. A header with a
   * browser SDK's session cookie always takes the full path (that session may have moved).
   */
  unchanged(header: string | string[] | undefined, anonymousId: string, nowMs: number): StoredSession | undefined {
    if (typeof header !== "string") return undefined;
    if ((this.sdks.snowplow && header.includes("_sp_ses.")) || (this.sdks.posthog && header.includes("_posthog=")))
      return undefined;
    // Read inside the header, untrimmed: a value with spaces around it is refused here
    // and takes the full path, which trims (the same answer, at the full path's cost).
    const start = cookieValueStart(header, this.needle);
    if (start === -1) return undefined;
    const stored = parseSessionCookieIn(header, start, cookieValueEnd(header, start), nowMs);
    // decideSession's "no write" case, with the owner compared as a number (no tag text built).
    if (stored === undefined || !isOwnerTagOf(stored.owner, ownerHash(anonymousId))) return undefined;
    return isFresh(stored, nowMs, this.timeoutMs) ? stored : undefined;
  }

  /** Under `full` consent: a live browser SDK session if there is one, else our own. */
  forId(cookies: RawCookies, anonymousId: string, nowMs: number, secure: boolean): SessionOutcome {
    const stored = parseSessionCookie(cookies[this.cookieName], nowMs);
    const owner = ownerTag(anonymousId);
    const browser = this.sdks.snowplow || this.sdks.posthog ? findBrowserSession(cookies, nowMs, this.sdks) : undefined;
    const decision =
      browser === undefined
        ? decideSession(stored, owner, nowMs, this.timeoutMs)
        : followBrowserSession(stored, browser, owner, nowMs, this.timeoutMs);
    return this.outcome(decision, this.persistent, secure);
  }

  /** Under `anonymous` consent: only a session of our own, in a cookie that ends with the browser session. */
  anonymous(cookies: RawCookies, nowMs: number, secure: boolean): SessionOutcome {
    return this.outcome(
      decideSession(parseSessionCookie(cookies[this.cookieName], nowMs), ANONYMOUS_OWNER, nowMs, this.timeoutMs),
      this.browserOnly,
      secure,
    );
  }

  /** A fresh first session for a new anonymous id (`reset()`). */
  fresh(anonymousId: string, nowMs: number, secure: boolean): SessionOutcome {
    return this.outcome(
      decideSession(undefined, ownerTag(anonymousId), nowMs, this.timeoutMs),
      this.persistent,
      secure,
    );
  }

  /** The line that removes the session cookie (`Max-Age=0`). */
  expireLine(secure: boolean): string {
    return `${this.cookieName}=${secure ? this.expired[1] : this.expired[0]}`;
  }

  private outcome(decision: SessionDecision, suffixes: [string, string], secure: boolean): SessionOutcome {
    const line = decision.write
      ? `${this.cookieName}=${formatSessionCookie(decision.stored)}${secure ? suffixes[1] : suffixes[0]}`
      : undefined;
    return { stored: decision.stored, line };
  }
}
