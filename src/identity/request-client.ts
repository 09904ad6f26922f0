import { applyConsent, NOT_SENT } from "../consent-filter.js";
import { REPORT_DROP, type DropReporter } from "../early-drops.js";
import type { ThreadlineError } from "../errors.js";
import type { Scope } from "../scope.js";
import type {
  AliasMessage,
  BaseMessage,
  Callback,
  GroupMessage,
  Id,
  IdentifyMessage,
  PageMessage,
  ScreenMessage,
  TrackMessage,
} from "../types.js";
import type { ConsentLevel } from "./consent.js";
import type { IdentityCore } from "./identity-core.js";
// The client's own test of a JSON object (an object literal or null-prototype): a Map, a
// class instance or a Proxy that hides its prototype is passed on as given, for the
// client to refuse, rather than copied into something the client would accept.
import { isPlainObject } from "../contract.js";
import { buildRequestContext, mergeContext, type RequestContext } from "./request-context.js";
import { sessionContext, type Session, type StoredSession } from "./session.js";
import { appendSetCookie, removeSetCookie, type CookieKeeper, type ServerResponse } from "./set-cookie.js";
import type { AnonymousIdCarrier, Tracker } from "./types.js";

/** `alias` from a request: `previousId` defaults to the request's anonymous id, `userId` to the bound one. */
export type RequestAliasMessage = Omit<AliasMessage, "previousId" | "userId"> & { userId?: Id; previousId?: Id };

/**
 * `req.analytics` / `ctx.analytics`: the six calls bound to one request. Each fills in
 * `anonymousId`, the `userId` bound by an earlier `identify` or `alias` in the same
 * request, and `context` (ip, userAgent, locale, page, campaign). Fields the app gives
 * always win. Like the client's, these calls never throw.
 */
export interface RequestAnalytics {
  /** The request's anonymous id (changes after `reset()`). */
  readonly anonymousId: string;
  /** The user id bound by `identify`/`alias` in this request, if any. */
  readonly userId: string | undefined;
  /** The visit's session (`context.session` of every call), or undefined with `session: false` or no consent. */
  readonly session: Session | undefined;
  /** This request's consent level (after `Sec-GPC`). */
  readonly consentLevel: ConsentLevel;
  identify(message: IdentifyMessage, callback?: Callback): void;
  track(message: TrackMessage, callback?: Callback): void;
  page(message?: PageMessage, callback?: Callback): void;
  screen(message?: ScreenMessage, callback?: Callback): void;
  group(message: GroupMessage, callback?: Callback): void;
  alias(message: RequestAliasMessage, callback?: Callback): void;
  /** A fresh anonymous id (and cookie) for the rest of the request; forgets the bound user. For shared devices at logout. */
  reset(): void;
}

const isMissing = (value: unknown): boolean => value === undefined || value === null || value === "";

/**
 * Prototype-based so a request pays for one small object and nothing more until the
 * app makes a call; the context is built on the first call and shared by the rest.
 */
export class RequestClient<Req> implements RequestAnalytics, Scope, CookieKeeper {
  private context: RequestContext | undefined;
  private boundUserId: string | undefined;
  private sessionView: Session | undefined;

  constructor(
    private readonly core: IdentityCore<Req>,
    /** The framework's request this client (and scope) belongs to. */
    readonly req: Req,
    private readonly res: ServerResponse,
    /** Where the app reads the id (`req`, `ctx.state`, or an adapter's own state). */
    readonly carrier: AnonymousIdCarrier,
    private id: string,
    /** Our own `Set-Cookie` lines on this response, so `reset()` can take them back. */
    private written: readonly string[] | undefined,
    readonly consentLevel: ConsentLevel = "full",
    private stored: StoredSession | undefined = undefined,
  ) {}

  /** The response whose `Set-Cookie` lines this scope keeps (see set-cookie.ts). */
  get keptResponse(): object {
    return this.res;
  }

  /** Our lines on that response, for its `writeHead` hook to put back. */
  get keptCookieLines(): readonly string[] | undefined {
    return this.written;
  }

  get session(): Session | undefined {
    if (this.stored === undefined) return undefined;
    return (this.sessionView ??= sessionContext(this.stored));
  }

  /** As the request's scope: how far module-level calls in it may go (undefined is `full`). */
  get consent(): ConsentLevel | undefined {
    return this.consentLevel === "full" ? undefined : this.consentLevel;
  }

  get anonymousId(): string {
    return this.id;
  }

  get userId(): string | undefined {
    return this.boundUserId;
  }

  /** As the request's scope: the context every call of the request shares. */
  scopeContext(): Record<string, unknown> {
    return this.requestContext() as unknown as Record<string, unknown>;
  }

  /** As the request's scope: a module-level `identify`/`alias` bound a user for the rest of the request. */
  bindUserId(userId: string): void {
    if (this.consentLevel === "full") this.boundUserId = userId;
  }

  identify(message: IdentifyMessage, callback?: Callback): void {
    const filled = this.fill(message);
    this.send("identify", filled, callback);
    this.bind(filled);
  }

  track(message: TrackMessage, callback?: Callback): void {
    this.send("track", this.fill(message), callback);
  }

  page(message: PageMessage = {}, callback?: Callback): void {
    let filled = this.fill(message);
    try {
      if (filled !== message && (filled.properties === undefined || isPlainObject(filled.properties))) {
        // As analytics.js does: the page's own fields are also the call's default properties.
        const { url, path, search, referrer } = this.requestContext().page;
        const defaults: Record<string, unknown> = { path, referrer, search };
        if (url !== undefined) defaults.url = url;
        filled.properties = { ...defaults, ...filled.properties };
      }
    } catch {
      // Unreadable properties: the client reads them again and refuses the call, naming the field.
      filled = message;
    }
    this.send("page", filled, callback);
  }

  screen(message: ScreenMessage = {}, callback?: Callback): void {
    this.send("screen", this.fill(message), callback);
  }

  group(message: GroupMessage, callback?: Callback): void {
    this.send("group", this.fill(message), callback);
  }

  alias(message: RequestAliasMessage, callback?: Callback): void {
    let filled: Record<string, unknown>;
    try {
      if (!isPlainObject(message)) return this.send("alias", message, callback);
      filled = { ...message };
      if (isMissing(filled.previousId)) filled.previousId = this.id;
      if (isMissing(filled.userId) && this.boundUserId !== undefined) filled.userId = this.boundUserId;
      if (filled.context === undefined || isPlainObject(filled.context)) {
        filled.context = mergeContext(this.requestContext(), filled.context as Record<string, unknown> | undefined);
      }
    } catch {
      // See fill(): the client refuses the unreadable call with a coded error.
      return this.send("alias", message, callback);
    }
    this.send("alias", filled as unknown as AliasMessage, callback);
    this.bind(filled);
  }

  reset(): void {
    // A new id starts its own first session, so the next visitor on a shared device starts clean.
    const { id, session, lines } = this.core.resetLines(this.req, undefined, this.consentLevel);
    this.id = id;
    this.boundUserId = undefined;
    this.carrier.anonymousId = id;
    this.stored = session;
    this.sessionView = undefined;
    this.context = undefined;
    if (this.written !== undefined) removeSetCookie(this.res, this.written);
    this.written = appendSetCookie(this.res, lines, this.core.options.scope) ? lines : undefined;
  }

  private requestContext(): RequestContext {
    if (this.context !== undefined) return this.context;
    const anonymous = this.consentLevel === "anonymous";
    const context = buildRequestContext(this.core.adapter, this.req, anonymous ? "omit" : this.core.options.ip);
    const session = this.session;
    if (session !== undefined) context.session = session;
    if (anonymous) context.consent = "anonymous";
    return (this.context = context);
  }

  /** A copy of the app's message with the request's ids and context filled in. */
  private fill<M extends BaseMessage>(message: M): M {
    // Reading the app's object may throw (a getter, a Proxy trap, a revoked Proxy). Then
    // it goes to the client as given: the client's build is total and refuses it with a
    // coded error naming the field, through the same callback and `error` route.
    try {
      // Not an object: let the client reject and report it, as a direct call would be.
      if (!isPlainObject(message)) return message;
      const filled = { ...message };
      if (isMissing(filled.anonymousId)) filled.anonymousId = this.id;
      if (isMissing(filled.userId) && this.boundUserId !== undefined) filled.userId = this.boundUserId;
      if (filled.context === undefined || isPlainObject(filled.context)) {
        filled.context = mergeContext(this.requestContext(), filled.context);
      }
      return filled;
    } catch {
      return message;
    }
  }

  private bind(message: unknown): void {
    try {
      if (this.consentLevel !== "full" || !isPlainObject(message) || isMissing(message.userId)) return;
      const userId = message.userId;
      if (typeof userId === "string" || typeof userId === "number") this.boundUserId = String(userId);
    } catch {
      // An unreadable call binds nothing; the client has refused it.
    }
  }

  private send(type: keyof Tracker, message: unknown, callback: Callback | undefined): void {
    let tracker: Tracker;
    try {
      tracker = this.core.tracker();
    } catch (err) {
      // No usable client (e.g. no host in production): report, never throw into the request.
      this.core.reportMissingClient(err, callback as ((err: ThreadlineError) => void) | undefined);
      return;
    }
    // Applied here as well as in the client, for a tracker that is not threadline's.
    let allowed = message;
    if (this.consentLevel !== "full") {
      allowed = applyConsent(type, message, this.consentLevel);
      if (allowed === NOT_SENT) return dropForConsent(tracker, message, callback);
    }
    (tracker[type] as (message: unknown, callback?: Callback) => void)(allowed, callback);
  }
}

function dropForConsent(tracker: Tracker, message: unknown, callback: Callback | undefined): void {
  const reporter = (tracker as Partial<DropReporter>)[REPORT_DROP];
  const given = isPlainObject(message) ? message.messageId : undefined;
  const messageId = typeof given === "string" && given !== "" ? given : undefined;
  if (typeof reporter === "function") return reporter.call(tracker, "consent", messageId, callback);
  if (callback !== undefined) queueMicrotask(() => callback());
}
