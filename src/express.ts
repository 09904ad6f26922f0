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
import { RequestSlot } from "./identity/request-slot.js";
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

/** Shown instead of the state's fields where an app logs `res.locals`, which holds it. */
const INSPECT = Symbol.for("nodejs.util.inspect.custom");

/** A request's identity state. */
class RequestState {
  constructor(
    readonly core: IdentityCore<Request>,
    /** `req.anonymousId` (the request client's carrier: `reset()` updates it). */
    public anonymousId: string,
    public client: RequestAnalytics | undefined,
  ) {}

  [INSPECT](): string {
    return `[threadline request ${this.anonymousId}]`;
  }
}

/**
 * Per-request state, beside the request rather than on it ({@link RequestSlot}: on
 * `res.locals`, since a property on Express's re-prototyped `req` costs ~4 µs on Node 20
 * and 22, and a WeakMap entry up to +20 µs of GC on Node 24). Under a global symbol, with a
 * fallback map shared the same way, so an ESM and a CommonJS copy of this adapter see each
 * other's requests.
 */
const STATES_KEY = Symbol.for("threadline.express.request");
const statesHolder = globalThis as { [STATES_KEY]?: WeakMap<object, RequestState> };
const states = new RequestSlot<RequestState>(STATES_KEY, (statesHolder[STATES_KEY] ??= new WeakMap()));

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
  return findScope(isScopeOf, req);
}

const isScopeOf = (scope: Scope, req: Request): scope is RequestClient<Request> =>
  scope instanceof RequestClient && scope.req === req;

/**
 * The state of a request the middleware left no property on: found through its request
 * scope, or (with `scope: false`, a returning visitor) built from its cookie on first
 * access, so requests that never read `req.anonymousId` / `req.analytics` pay nothing
 * for them.
 */
function stateOf(req: Request): RequestState | undefined {
  const existing = states.get(req.res, req);
  if (existing !== undefined) return existing;
  const scoped = scopeOf(req);
  if (scoped !== undefined) {
    const carried = scoped.carrier as RequestState;
    states.set(req.res, req, carried);
    return carried;
  }
  const core = ownerOf(Object.getPrototypeOf(req) as object);
  const id = core?.returningId(req, req.headers.cookie);
  if (core === undefined || id === undefined) return undefined; // the middleware never ran for this request
  const built = new RequestState(core, id, undefined);
  states.set(req.res, req, built);
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
    if (states.get(req.res, req) !== undefined || scopeOf(req) !== undefined) return next();
    claimPrototype(req, res, core);
    // No property on `req`: the getters find the state through the scope.
    const state = new RequestState(core, "", undefined);
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
    if (states.get(req.res, req) !== undefined) return next();
    const owner = claimPrototype(req, res, core);
    // The returning visitor: nothing to write, nothing to store; the getters do the rest on demand.
    if (owner === core && core.returningId(req, req.headers.cookie) !== undefined) return next();
    try {
      const state = new RequestState(core, "", undefined);
      state.client = core.begin(req, res, state);
      states.set(req.res, req, state);
    } catch (err) {
      next(err);
      return;
    }
    next();
  };
}
