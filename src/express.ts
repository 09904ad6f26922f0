/**
 * `threadline/express`: the identity middleware for Express 4 and 5.
 *
 *     app.use(threadline({ analytics }));
 *     app.post("/signup", (req, res) => {
 *       req.analytics.identify({ userId: user.id, traits: { email } });
 *       req.analytics.track({ event: "Signed Up" });
 *     });
 *
 * Only types come from `express`: importing this file never loads the framework.
 */
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { defaultTracker } from "./default-tracker.js";
import { IdentityCore } from "./identity/identity-core.js";
import type { IdentityOptions } from "./identity/options.js";
import { RequestClient } from "./identity/request-client.js";
import type { RequestAnalytics } from "./identity/request-client.js";
import { hookResponsePrototype } from "./identity/set-cookie.js";
import type { RequestAdapter } from "./identity/types.js";
import { findScope, runInScope, type Scope } from "./scope.js";

export type { IdentityOptions, ForeignSdk, IpMode, MirrorSdk } from "./identity/options.js";
export type { RequestAnalytics, RequestAliasMessage } from "./identity/request-client.js";
export type { Tracker } from "./identity/types.js";
export { IDENTITY_DEFAULTS } from "./identity/options.js";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The visitor's anonymous id (the `aid` cookie, adopted from a browser SDK, or new). Set by threadline's middleware. */
      anonymousId: string;
      /** threadline's six calls bound to this request (anonymousId, userId after identify, context). */
      analytics: RequestAnalytics;
    }
  }
}

/** `Host` header or trusted `X-Forwarded-Host`, whichever Express took `hostname` from, port kept. */
function hostWithPort(req: Request): string | undefined {
  const hostname = req.hostname;
  if (!hostname) return undefined;
  const candidates = [
    req.headers.host,
    String(req.headers["x-forwarded-host"] ?? "")
      .split(",", 1)[0]!
      .trim(),
  ];
  for (const candidate of candidates) {
    if (candidate && (candidate === hostname || candidate.startsWith(`${hostname}:`))) return candidate;
  }
  return hostname;
}

// Express's own getters honour `trust proxy`, so a spoofed X-Forwarded-* header only
// counts when the app said to trust the proxy that sent it.
const expressAdapter: RequestAdapter<Request> = {
  headers: (req) => req.headers,
  // `req.secure` asks the `trust proxy` function on every call; without an
  // X-Forwarded-Proto header its answer can only be the socket's, so read that directly.
  secure: (req) =>
    req.headers["x-forwarded-proto"] === undefined
      ? (req.socket as { encrypted?: boolean }).encrypted === true
      : req.secure,
  hostname: (req) => req.hostname || undefined,
  host: hostWithPort,
  protocol: (req) => req.protocol,
  originalUrl: (req) => req.originalUrl || req.url,
  ip: (req) => req.ip,
};

interface RequestState {
  core: IdentityCore<Request>;
  /** `req.anonymousId` (the request client's carrier: `reset()` updates it). */
  anonymousId: string;
  client: RequestAnalytics | undefined;
}

/**
 * Per-request state, beside the request rather than on it: Express's request shape stays
 * untouched, and on Node 20 and 22 a property added to a request Express re-prototyped
 * costs ~4 µs, where a WeakMap entry costs ~0.5–2 µs with its GC (measured; on Node 24,
 * where adds are cheap, it costs more than the property did). One map per process (under a
 * global symbol), so an ESM and a CommonJS copy of this adapter see each other's requests.
 */
const STATES_KEY = Symbol.for("threadline.express.request");
const statesHolder = globalThis as { [STATES_KEY]?: WeakMap<Request, RequestState> };
const states: WeakMap<Request, RequestState> = (statesHolder[STATES_KEY] ??= new WeakMap());

/** Which middleware's core a request prototype's lazy getters answer for. */
const owners = new WeakMap<object, IdentityCore<Request>>();

/** The owner of `proto` or of the nearest prototype above it: a mounted sub-app's request inherits its parent's. */
function ownerOf(proto: object | null): IdentityCore<Request> | undefined {
  for (let current = proto; current !== null; current = Object.getPrototypeOf(current) as object | null) {
    const owner = owners.get(current);
    if (owner !== undefined) return owner;
  }
  return undefined;
}

/** The request scope the middleware opened for `req`, if the caller runs inside it. */
function scopeOf(req: Request): RequestClient<Request> | undefined {
  return findScope(
    (scope: Scope): scope is RequestClient<Request> => scope instanceof RequestClient && scope.req === req,
  );
}

/**
 * The state of a request the middleware left no property on: found through its request
 * scope, or (with `scope: false`, a returning visitor) built from its cookie on first
 * access, so requests that never read `req.anonymousId` / `req.analytics` pay nothing
 * for them.
 */
function stateOf(req: Request): RequestState | undefined {
  const existing = states.get(req);
  if (existing !== undefined) return existing;
  const scoped = scopeOf(req);
  if (scoped !== undefined) {
    const carried = scoped.carrier as RequestState;
    states.set(req, carried);
    return carried;
  }
  const core = ownerOf(Object.getPrototypeOf(req) as object);
  const id = core?.returningId(req, req.headers.cookie);
  if (core === undefined || id === undefined) return undefined; // the middleware never ran for this request
  const built: RequestState = { core, anonymousId: id, client: undefined };
  states.set(req, built);
  return built;
}

/**
 * `req.anonymousId` and `req.analytics` as getters on the app's request prototype
 * (Express gives every request of an app the same one), defined once: writing two
 * properties onto every request object costs more than the rest of the middleware.
 */
function installGetters(proto: object): void {
  Object.defineProperty(proto, "anonymousId", {
    configurable: true,
    get(this: Request) {
      return stateOf(this)?.anonymousId;
    },
    set(this: Request, value: string) {
      const state = stateOf(this);
      if (state) state.anonymousId = value;
      else Object.defineProperty(this, "anonymousId", { value, writable: true, configurable: true, enumerable: true });
    },
  });
  Object.defineProperty(proto, "analytics", {
    configurable: true,
    get(this: Request) {
      const state = stateOf(this);
      if (state === undefined) return undefined;
      return (state.client ??= state.core.clientFor(this, this.res as Response, state, state.anonymousId));
    },
    set(this: Request, value: RequestAnalytics) {
      const state = stateOf(this);
      if (state) state.client = value;
      else Object.defineProperty(this, "analytics", { value, writable: true, configurable: true, enumerable: true });
    },
  });
}

/**
 * The Express middleware: sets `req.anonymousId`, `req.analytics` and, when needed, the
 * `aid` cookie, and runs the rest of the request in its request scope.
 * @throws ThreadlineError `config` for an unknown or mistyped option
 */
export function threadline(options?: IdentityOptions<Request>): RequestHandler {
  const core = new IdentityCore(options, expressAdapter, defaultTracker);
  if (!core.options.scope) return unscoped(core);
  return function threadlineIdentity(req: Request, res: Response, next: NextFunction): void {
    // Mounted twice (app and router)? The first run already decided the id, cookie and scope.
    if (states.has(req) || scopeOf(req) !== undefined) return next();
    claimPrototype(req, res, core);
    // No property on `req`: the getters find the state through the scope.
    const state: RequestState = { core, anonymousId: "", client: undefined };
    let client: RequestClient<Request>;
    try {
      client = core.enter(req, res, state, req.headers.cookie);
    } catch (err) {
      next(err);
      return;
    }
    state.client = client;
    runInScope(client, next);
  };
}

/**
 * Install the getters on the app's request prototype and the `Set-Cookie` keeper on its
 * response prototype, once; returns the core that owns them. Why on the prototypes: on
 * Node 20 and 22 a property added to an object Express re-prototyped costs ~4 µs.
 */
function claimPrototype(req: Request, res: Response, core: IdentityCore<Request>): IdentityCore<Request> {
  const proto = Object.getPrototypeOf(req) as object;
  const owner = ownerOf(proto);
  if (owner !== undefined) return owner;
  installGetters(proto);
  owners.set(proto, core);
  // Only an Express app's own `app.response` (it owns `app`), never Node's ServerResponse.prototype.
  const responseProto = Object.getPrototypeOf(res) as object | null;
  if (responseProto !== null && Object.prototype.hasOwnProperty.call(responseProto, "app"))
    hookResponsePrototype(responseProto);
  return core;
}

/** Round 1's middleware, for `scope: false`: only `req.analytics` fills calls in. */
function unscoped(core: IdentityCore<Request>): RequestHandler {
  return function threadlineIdentity(req: Request, res: Response, next: NextFunction): void {
    if (states.has(req)) return next();
    const owner = claimPrototype(req, res, core);
    // The returning visitor: nothing to write, nothing to store; the getters do the rest on demand.
    if (owner === core && core.returningId(req, req.headers.cookie) !== undefined) return next();
    try {
      const state: RequestState = { core, anonymousId: "", client: undefined };
      state.client = core.begin(req, res, state);
      states.set(req, state);
    } catch (err) {
      next(err);
      return;
    }
    next();
  };
}
