import type { IncomingHttpHeaders } from "node:http";
import type { ServerResponse } from "./set-cookie.js";
import type {
  AliasMessage,
  Callback,
  GroupMessage,
  IdentifyMessage,
  PageMessage,
  ScreenMessage,
  TrackMessage,
} from "../types.js";

/**
 * The six calls the middleware forwards to. `Analytics` satisfies this
 * structurally; declaring it here keeps the identity core free of the client's
 * implementation (and lets tests hand in a recording fake).
 */
export interface Tracker {
  identify(message: IdentifyMessage, callback?: Callback): void;
  track(message: TrackMessage, callback?: Callback): void;
  page(message: PageMessage, callback?: Callback): void;
  screen(message: ScreenMessage, callback?: Callback): void;
  group(message: GroupMessage, callback?: Callback): void;
  alias(message: AliasMessage, callback?: Callback): void;
}

/**
 * Where an identity core gets its client when the app gave no `analytics`: handed in
 * by the adapter, so the identity layer never imports a client implementation.
 */
export interface TrackerSource {
  /** Start loading the client (called once, by a core that will need it). */
  load(): void;
  /** The client to send to now. May throw a `config` error (no usable client). */
  get(): Tracker;
}

/**
 * How the core reads a framework's request. One static object per adapter, so a
 * request costs no closures: every function takes the framework's own request.
 * Each answer must already respect the framework's proxy trust setting.
 */
export interface RequestAdapter<Req> {
  headers(req: Req): IncomingHttpHeaders;
  /** What the app's `consent(req)` receives, when not `req` itself (the framework's own object). */
  consentTarget?(req: Req): unknown;
  /** True when the visitor reached us over HTTPS (directly or via a trusted proxy). */
  secure(req: Req): boolean;
  /** The host name the browser used, without port (for the cookie's Domain). */
  hostname(req: Req): string | undefined;
  /** `host[:port]` as the browser used it (for `context.page.url`). */
  host(req: Req): string | undefined;
  /** `http` or `https`. */
  protocol(req: Req): string;
  /** Path and query as requested, before any router rewrote it. */
  originalUrl(req: Req): string;
  /** The client's IP by the framework's own logic. */
  ip(req: Req): string | undefined;
  /** Option names this adapter takes on top of the identity options (it reads them itself). */
  readonly options?: readonly string[];
}

/** The object whose `anonymousId` the app reads (`req` in Express, `ctx.state` in Koa). */
export interface AnonymousIdCarrier {
  anonymousId: string;
}

/** Where a request's anonymous id came from. */
export type IdSource = "cookie" | "segment" | "snowplow" | "posthog" | "new";

/** What the core resolved from a request's `Cookie` header. */
export interface ResolvedId {
  id: string;
  source: IdSource;
  /** The first-party cookie must be (re)written: absent, foreign, or a bad duplicate came first. */
  writeCookie: boolean;
  /** The id `ajs_anonymous_id` currently holds, decoded; undefined when absent or unreadable. */
  segmentId: string | undefined;
}

export type { ServerResponse };
