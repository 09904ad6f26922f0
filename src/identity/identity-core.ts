import { isThreadlineError, ThreadlineError } from "../errors.js";
import { generateAnonymousId, isValidAnonymousId } from "./anonymous-id.js";
import { firstCookieValue, parseCookieHeader } from "./cookie-header.js";
import { resolveIdentityOptions, type IdentityOptions, type ResolvedIdentityOptions } from "./options.js";
import { RequestClient } from "./request-client.js";
import { resolveAnonymousId } from "./resolve-id.js";
import { segmentMirrorCookie } from "./segment-mirror.js";
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
  private warnedNoClient = false;

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
    if (this.options.analytics === undefined) defaultTracker?.load();
    // The first-party cookie's attributes never vary but for `Secure`: build both once.
    const attributes = { maxAgeSeconds: this.options.maxAgeSeconds, domain: this.options.domain, httpOnly: this.options.httpOnly };
    this.ownSuffix = setCookieSuffix(this.options.cookieName, { ...attributes, secure: false });
    this.ownSuffixSecure = setCookieSuffix(this.options.cookieName, { ...attributes, secure: true });
  }

  /**
   * The request's client, by the shared fast path: a returning visitor whose cookie
   * needs no rewrite costs one header scan and one small object; anyone else goes
   * through {@link begin}. The client is also the request's scope.
   */
  enter(req: Req, res: ServerResponse, carrier: AnonymousIdCarrier, cookieHeader: string | string[] | undefined): RequestClient<Req> {
    const id = this.idWithoutWrites(cookieHeader);
    if (id === undefined) return this.begin(req, res, carrier);
    carrier.anonymousId = id;
    return new RequestClient(this, req, res, carrier, id, undefined);
  }

  /** Resolve the request's id, write the cookies it needs, and hand back its request-scoped client. */
  begin(req: Req, res: ServerResponse, carrier: AnonymousIdCarrier): RequestClient<Req> {
    const header = this.adapter.headers(req).cookie;
    // No cookies at all (a first visit): nothing to parse or adopt.
    const resolved =
      header === undefined || header.length === 0
        ? { id: generateAnonymousId(), writeCookie: true, segmentId: undefined }
        : resolveAnonymousId(parseCookieHeader(header), header, this.options);
    carrier.anonymousId = resolved.id;
    let written: string[] | undefined;
    if (resolved.writeCookie || (this.options.mirrorSegment && resolved.segmentId !== resolved.id)) {
      const lines = this.cookieLines(req, resolved.id, resolved.writeCookie, resolved.segmentId);
      if (appendSetCookie(res, lines)) written = lines;
    }
    return new RequestClient(this, req, res, carrier, resolved.id, written);
  }

  /**
   * The returning visitor's id when this request needs no cookie written (a valid
   * first-party cookie, no `rolling`, no mirror to check); else undefined, and the
   * request goes through {@link begin}.
   */
  idWithoutWrites(cookieHeader: string | string[] | undefined): string | undefined {
    if (this.options.rolling || this.options.mirrorSegment) return undefined;
    const value = firstCookieValue(cookieHeader, this.options.cookieName);
    return value !== undefined && isValidAnonymousId(value) ? value : undefined;
  }

  /** A request-scoped client for a request whose id was settled without writing cookies. */
  clientFor(req: Req, res: ServerResponse, carrier: AnonymousIdCarrier, id: string): RequestClient<Req> {
    return new RequestClient(this, req, res, carrier, id, undefined);
  }

  /** `Set-Cookie` lines for `id`: our cookie if asked, the Segment mirror if it differs from what the browser holds. */
  cookieLines(req: Req, id: string, writeOwn: boolean, segmentId: string | undefined): string[] {
    const secure = this.adapter.secure(req);
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
    if (tracker === undefined) throw new ThreadlineError("config", "threadline middleware: no analytics option and no default client");
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
