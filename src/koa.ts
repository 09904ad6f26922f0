/**
 * `threadline/koa`: the identity middleware for Koa 2 and 3.
 *
 *     app.use(threadline({ analytics }));
 *     router.post("/signup", (ctx) => {
 *       ctx.analytics.identify({ userId: user.id, traits: { email } });
 *       ctx.analytics.track({ event: "Signed Up" });
 *     });
 *
 * Only types come from `koa`: importing this file never loads the framework.
 */
import type { Context, Middleware, Next } from "koa";
import { defaultTracker } from "./default-tracker.js";
import { IdentityCore } from "./identity/identity-core.js";
import { RequestClient } from "./identity/request-client.js";
import type { IdentityOptions } from "./identity/options.js";
import type { RequestAnalytics } from "./identity/request-client.js";
import type { RequestAdapter } from "./identity/types.js";
import { runInScope } from "./scope.js";

export type { IdentityOptions, ForeignSdk, IpMode, MirrorSdk } from "./identity/options.js";
export type { RequestAnalytics, RequestAliasMessage } from "./identity/request-client.js";
export type { Tracker } from "./identity/types.js";
export { IDENTITY_DEFAULTS } from "./identity/options.js";

declare module "koa" {
  interface DefaultState {
    /** The visitor's anonymous id (the `aid` cookie, adopted from a browser SDK, or new). Set by threadline's middleware. */
    anonymousId: string;
  }
  interface DefaultContext {
    /** threadline's six calls bound to this request (anonymousId, userId after identify, context). */
    analytics: RequestAnalytics;
  }
}

// Koa's getters honour `app.proxy`, so forwarded headers count only behind a trusted proxy.
const koaAdapter: RequestAdapter<Context> = {
  headers: (ctx) => ctx.req.headers,
  secure: (ctx) => ctx.secure,
  hostname: (ctx) => ctx.hostname || undefined,
  host: (ctx) => ctx.host || undefined,
  protocol: (ctx) => ctx.protocol,
  originalUrl: (ctx) => ctx.originalUrl || ctx.url,
  ip: (ctx) => ctx.ip || undefined,
};

/**
 * The Koa middleware: sets `ctx.state.anonymousId`, `ctx.analytics` and, when needed, the
 * `aid` cookie, and runs the rest of the request in its request scope.
 * @throws ThreadlineError `config` for an unknown or mistyped option
 */
export function threadline(options?: IdentityOptions<Context>): Middleware {
  const core = new IdentityCore(options, koaAdapter, defaultTracker);
  const scoped = core.options.scope;
  return function threadlineIdentity(ctx: Context, next: Next): Promise<unknown> {
    // Mounted twice (app and a sub-app)? The first run already decided the id, cookie and scope.
    if (ctx.analytics instanceof RequestClient) return next();
    const client = core.enter(ctx, ctx.res, ctx.state as { anonymousId: string }, ctx.req.headers.cookie);
    ctx.analytics = client;
    return scoped ? runInScope(client, next) : next();
  };
}
