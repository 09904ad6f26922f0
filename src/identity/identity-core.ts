import { isThreadlineError, ThreadlineError } from "../errors.js";
import { generateAnonymousId, isValidAnonymousIdIn } from "./anonymous-id.js";
import { effectiveConsent, isConsentLevel, type ConsentLevel } from "./consent.js";
import { cookieValueEnd, cookieValueStart, parseCookieHeader, type RawCookies } from "./cookie-header.js";
import { SEGMENT_COOKIE } from "./foreign-ids.js";
import { resolveIdentityOptions, type IdentityOptions, type ResolvedIdentityOptions } from "./options.js";
import { RequestClient } from "./request-client.js";
import { resolveAnonymousId } from "./resolve-id.js";
import { segmentMirrorCookie } from "./segment-mirror.js";
import { PRIVACY_DEFAULTS } from "./privacy-options.js";
import type { StoredSession } from "./session.js";
import { SessionKeeper } from "./session-keeper.js";
import { appendSetCookie, setCookieSuffix, type ServerResponse } from "./set-cookie.js";
import type { AnonymousIdCarrier, RequestAdapter, Tracker, TrackerSource } from "./types.js";

/**
 * The framework-agnostic middleware: headers in, anonymous id and `Set-Cookie` out.
 * One per `threadline()` call; everything per-request lives in the `RequestClient`.
 */
export class IdentityCore<Req> {
  readonly options: ResolvedIdentityOptions;
  private readonly ownSuffix: string;
  private readonly ownSuffixSecure: string;
  private readonly expiredSuffixes: [string, string];
  /** `aid=`, what the returning visitor's check looks for (built once). */
  private readonly idNeedle: string;
  /** Always there: under `anonymous` consent the session cookie carries the id even with sessions off. */
  readonly sessions: SessionKeeper;
  /** `session` is on: calls carry `context.session`. */
  readonly sessionsOn: boolean;
  private warnedNoClient = false;
  private warnedConsent = false;

  /**
   * @param defaultTracker where calls go when the options give no `analytics` (the
   * adapter hands in the default client; without either, calls are reported, not sent)
   */
  constructor(
    options: IdentityOptions | undefined,
    readonly adapter: RequestAdapter<Req>,
    private readonly defaultTracker?: TrackerSource,
  ) {
    this.options = resolveIdentityOptions(options, adapter.options);
    this.idNeedle = `${this.options.cookieName}=`;
    if (this.options.analytics === undefined) defaultTracker?.load();
    // The first-party cookie's attributes never vary but for `Secure`: build both once.
    const attributes = {
      maxAgeSeconds: this.options.maxAgeSeconds,
      domain: this.options.domain,
      httpOnly: this.options.httpOnly,
    };
    this.ownSuffix = setCookieSuffix(this.options.cookieName, { ...attributes, secure: false });
    this.ownSuffixSecure = setCookieSuffix(this.options.cookieName, { ...attributes, secure: true });
    this.expiredSuffixes = [
      setCookieSuffix(this.options.cookieName, { ...attributes, maxAgeSeconds: 0, secure: false }),
      setCookieSuffix(this.options.cookieName, { ...attributes, maxAgeSeconds: 0, secure: true }),
    ];
    const session = this.options.privacy.session;
    this.sessionsOn = session !== undefined;
    const { timeoutSeconds, cookieName } = PRIVACY_DEFAULTS.session;
    this.sessions = new SessionKeeper(session ?? { timeoutMs: timeoutSeconds * 1000, cookieName }, this.options);
  }

  /**
   * The request's consent level: the app's `consent(req)` (default `full`), capped by
   * `Sec-GPC: 1` per the `gpc` option. A `consent` that throws or answers anything else
   * counts as `none`: never track on a broken answer (said once on stderr).
   */
  consentFor(req: Req): ConsentLevel {
    const { consent, gpc } = this.options.privacy;
    let asked: ConsentLevel = "full";
    if (consent !== undefined) {
      let answer: unknown;
      try {
        answer = consent(this.adapter.consentTarget === undefined ? req : this.adapter.consentTarget(req));
      } catch (err) {
        answer = err;
      }
      if (isConsentLevel(answer)) asked = answer;
      else {
        asked = "none";
        if (!this.warnedConsent) {
          this.warnedConsent = true;
          const what =
            answer instanceof Error
              ? `threw (${answer.message})`
              : `returned ${typeof answer === "string" ? JSON.stringify(answer) : typeof answer}`;
          process.emitWarning(`threadline middleware: consent(req) ${what}; treating the request as "none"`, {
            code: "THREADLINE_CONSENT",
          });
        }
      }
    }
    return gpc === "ignore" && asked === "full" ? asked : effectiveConsent(asked, this.adapter.headers(req), gpc);
  }

  /**
   * The returning visitor's id when this request, with full consent, needs no cookie
   * written: a valid first-party cookie and a session that needs no refresh.
   */
  returningId(req: Req, cookieHeader: string | string[] | undefined): string | undefined {
    const id = this.idWithoutWrites(cookieHeader);
    if (id === undefined || this.consentFor(req) !== "full") return undefined;
    if (this.sessionsOn && this.sessions.unchanged(cookieHeader, id, Date.now()) === undefined) return undefined;
    return id;
  }

  /**
   * The request's client, by the shared fast path: a returning visitor whose cookie
   * needs no rewrite costs one header scan and one small object; anyone else goes
   * through {@link begin}. The client is also the request's scope.
   */
  enter(
    req: Req,
    res: ServerResponse,
    carrier: AnonymousIdCarrier,
    cookieHeader: string | string[] | undefined,
  ): RequestClient<Req> {
    const level = this.consentFor(req);
    const id = level === "full" ? this.idWithoutWrites(cookieHeader) : undefined;
    if (id === undefined) return this.begin(req, res, carrier, level);
    let session: StoredSession | undefined;
    if (this.sessionsOn) {
      session = this.sessions.unchanged(cookieHeader, id, Date.now());
      if (session === undefined) return this.begin(req, res, carrier, level);
    }
    carrier.anonymousId = id;
    return new RequestClient(this, req, res, carrier, id, undefined, level, session);
  }

  /** Resolve the request's id, write the cookies it needs, and hand back its request-scoped client. */
  begin(
    req: Req,
    res: ServerResponse,
    carrier: AnonymousIdCarrier,
    level: ConsentLevel = this.consentFor(req),
  ): RequestClient<Req> {
    const header = this.adapter.headers(req).cookie;
    const cookies = parseCookieHeader(header);
    if (level !== "full") return this.beginWithoutConsent(req, res, carrier, cookies, level);
    // No cookies at all (a new browser's first visit): nothing to parse, adopt or follow.
    const firstVisit = header === undefined || header.length === 0;
    const resolved = firstVisit
      ? { id: generateAnonymousId(), writeCookie: true, segmentId: undefined }
      : resolveAnonymousId(cookies, header, this.options);
    carrier.anonymousId = resolved.id;
    const secure = this.adapter.secure(req);
    let lines: string[] = [];
    if (resolved.writeCookie || (this.options.mirrorSegment && resolved.segmentId !== resolved.id)) {
      lines = this.cookieLines(req, resolved.id, resolved.writeCookie, resolved.segmentId, secure);
    }
    let session: StoredSession | undefined;
    if (this.sessionsOn) {
      const now = Date.now();
      const outcome = firstVisit
        ? this.sessions.fresh(resolved.id, now, secure)
        : this.sessions.forId(cookies, resolved.id, now, secure);
      session = outcome.stored;
      if (outcome.line !== undefined) lines.push(outcome.line);
    }
    const written = appendSetCookie(res, lines, this.options.scope) ? lines : undefined;
    return new RequestClient(this, req, res, carrier, resolved.id, written, level, session);
  }

  /**
   * `anonymous`: the id is a session's own, in a cookie that ends with the browser
   * session; `none`: a throwaway id, nothing written. Both expire the persistent cookies
   * the middleware set earlier (`none` the session cookie too), when the browser sent them.
   */
  private beginWithoutConsent(
    req: Req,
    res: ServerResponse,
    carrier: AnonymousIdCarrier,
    cookies: RawCookies,
    level: ConsentLevel,
  ): RequestClient<Req> {
    const secure = this.adapter.secure(req);
    const lines = this.expiryLines(req, cookies, secure, level === "none");
    let id: string;
    let session: StoredSession | undefined;
    if (level === "anonymous") {
      const outcome = this.sessions.anonymous(cookies, Date.now(), secure);
      id = outcome.stored.sessionId;
      if (this.sessionsOn) session = outcome.stored;
      if (outcome.line !== undefined) lines.push(outcome.line);
    } else {
      id = generateAnonymousId();
    }
    carrier.anonymousId = id;
    const written = appendSetCookie(res, lines, this.options.scope) ? lines : undefined;
    return new RequestClient(this, req, res, carrier, id, written, level, session);
  }

  /** `Max-Age=0` lines for our cookies present in the request (so a returning visitor without them costs nothing). */
  private expiryLines(req: Req, cookies: RawCookies, secure: boolean, sessionToo: boolean): string[] {
    const lines: string[] = [];
    if (cookies[this.options.cookieName] !== undefined) {
      lines.push(`${this.options.cookieName}=${secure ? this.expiredSuffixes[1] : this.expiredSuffixes[0]}`);
    }
    if (this.options.mirrorSegment && cookies[SEGMENT_COOKIE] !== undefined) {
      lines.push(segmentMirrorCookie("", this.adapter.hostname(req), secure, { ...this.options, maxAgeSeconds: 0 }));
    }
    if (sessionToo && cookies[this.sessions.cookieName] !== undefined) lines.push(this.sessions.expireLine(secure));
    return lines;
  }

  /**
   * The returning visitor's id when this request needs no cookie written (a valid
   * first-party cookie, no `rolling`, no mirror to check); else undefined, and the
   * request goes through {@link begin}.
   */
  idWithoutWrites(cookieHeader: string | string[] | undefined): string | undefined {
    if (this.options.rolling || this.options.mirrorSegment || typeof cookieHeader !== "string") return undefined;
    // Checked inside the header, untrimmed, then sliced: an `aid` with spaces around it
    // takes the full path, which trims it (the same id, at the full path's cost).
    const start = cookieValueStart(cookieHeader, this.idNeedle);
    if (start === -1) return undefined;
    const end = cookieValueEnd(cookieHeader, start);
    return isValidAnonymousIdIn(cookieHeader, start, end) ? cookieHeader.slice(start, end) : undefined;
  }

  /** A request-scoped client for a request whose id was settled without writing cookies. */
  clientFor(req: Req, res: ServerResponse, carrier: AnonymousIdCarrier, id: string): RequestClient<Req> {
    let session: StoredSession | undefined;
    let written: string[] | undefined;
    if (this.sessionsOn) {
      const header = this.adapter.headers(req).cookie;
      const now = Date.now();
      session = this.sessions.unchanged(header, id, now);
      if (session === undefined) {
        // Time moved past the refresh point since the middleware looked: write it now.
        const outcome = this.sessions.forId(parseCookieHeader(header), id, now, this.adapter.secure(req));
        session = outcome.stored;
        if (outcome.line !== undefined && appendSetCookie(res, [outcome.line])) written = [outcome.line];
      }
    }
    return new RequestClient(this, req, res, carrier, id, written, "full", session);
  }

  /** After `reset()`: the new id's first session and the lines that carry it (none under `none`). */
  resetLines(
    req: Req,
    id: string | undefined,
    level: ConsentLevel,
  ): { id: string; session: StoredSession | undefined; lines: string[] } {
    const secure = this.adapter.secure(req);
    const now = Date.now();
    if (level === "none") return { id: generateAnonymousId(), session: undefined, lines: [] };
    if (level === "anonymous") {
      const outcome = this.sessions.anonymous({}, now, secure);
      return {
        id: outcome.stored.sessionId,
        session: this.sessionsOn ? outcome.stored : undefined,
        lines: outcome.line === undefined ? [] : [outcome.line],
      };
    }
    const fresh = id ?? generateAnonymousId();
    const lines = this.cookieLines(req, fresh, true, undefined);
    if (!this.sessionsOn) return { id: fresh, session: undefined, lines };
    const outcome = this.sessions.fresh(fresh, now, secure);
    if (outcome.line !== undefined) lines.push(outcome.line);
    return { id: fresh, session: outcome.stored, lines };
  }

  /** `Set-Cookie` lines for `id`: our cookie if asked, the Segment mirror if it differs from what the browser holds. */
  cookieLines(
    req: Req,
    id: string,
    writeOwn: boolean,
    segmentId: string | undefined,
    secure = this.adapter.secure(req),
  ): string[] {
    const lines: string[] = [];
    if (writeOwn) lines.push(`${this.options.cookieName}=${id}${secure ? this.ownSuffixSecure : this.ownSuffix}`);
    if (this.options.mirrorSegment && segmentId !== id) {
      lines.push(segmentMirrorCookie(id, this.adapter.hostname(req), secure, this.options));
    }
    return lines;
  }

  /**
   * The client calls go to. The default client is looked up at each call, not at
   * `app.use()`, so `init()` may come later and a re-`init()` takes effect.
   */
  tracker(): Tracker {
    const tracker = this.options.analytics ?? this.defaultTracker?.get();
    if (tracker === undefined)
      throw new ThreadlineError("config", "threadline middleware: no analytics option and no default client");
    return tracker;
  }

  reportMissingClient(err: unknown, callback: ((err: ThreadlineError) => void) | undefined): void {
    const error = isThreadlineError(err)
      ? err
      : new ThreadlineError("config", "threadline middleware: no analytics client could be created", { cause: err });
    if (!this.warnedNoClient) {
      this.warnedNoClient = true;
      process.emitWarning(`${error.message} (request-scoped calls are not sent)`, { code: "THREADLINE_CONFIG" });
    }
    try {
      callback?.(error);
    } catch {
      // A throwing callback must not reach the request either.
    }
  }
}
