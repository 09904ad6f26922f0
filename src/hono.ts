/**
 * `threadline/hono`: the identity middleware for Hono 4.
 *
 *     const app = new Hono<{ Variables: ThreadlineVariables }>();
 *     app.use(threadline());
 *     app.post("/signup", async (c) => {
 *       await createUser(await c.req.parseBody()); // module-level identify/track inside
 *       c.get("analytics").track({ event: "Signed Up" });
 *       return c.json({ anonymousId: c.get("anonymousId") });
 *     });
 *
 * Only types come from `hono`: importing this file never loads the framework.
 */
import type { Context, MiddlewareHandler } from "hono";
import { defaultTracker } from "./default-tracker.js";
import { IdentityCore } from "./identity/identity-core.js";
import type { IdentityOptions } from "./identity/options.js";
import type { RequestAnalytics } from "./identity/request-client.js";
import { enterWeb, webAdapter } from "./identity/web.js";
import { runInScope } from "./scope.js";

export type { IdentityOptions, ForeignSdk, IpMode, MirrorSdk } from "./identity/options.js";
export type { RequestAnalytics, RequestAliasMessage } from "./identity/request-client.js";
export type { Tracker } from "./identity/types.js";
export { IDENTITY_DEFAULTS } from "./identity/options.js";

/** What the middleware sets on the context: `c.get("anonymousId")`, `c.get("analytics")`. */
export interface ThreadlineVariables {
  /** The visitor's anonymous id (the `aid` cookie, adopted from a browser SDK, or new). */
  anonymousId: string;
  /** threadline's six calls bound to this request (anonymousId, userId after identify, context). */
  analytics: RequestAnalytics;
}

declare module "hono" {
  interface ContextVariableMap extends ThreadlineVariables {}
}

/** The client's address where the runtime exposes it (`@hono/node-server` puts the `IncomingMessage` on `c.env.incoming`). */
function remoteAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

/** `c.get("anonymousId")` follows the request client's id (`reset()` changes it). */
class ContextCarrier {
  constructor(private readonly c: Context) {}
  get anonymousId(): string {
    return this.c.get("anonymousId");
  }
  set anonymousId(id: string) {
    this.c.set("anonymousId", id);
  }
}

/**
 * The Hono middleware: sets `anonymousId` and `analytics` on the context, runs the rest
 * of the request in its request scope, and appends the `Set-Cookie` lines the visitor
 * needs to the response.
 * @throws ThreadlineError `config` for an unknown or mistyped option
 */
export function threadline(options?: IdentityOptions<Context>): MiddlewareHandler<{ Variables: ThreadlineVariables }> {
  const core = new IdentityCore(options, webAdapter, defaultTracker);
  const scoped = core.options.scope;
  return async function threadlineIdentity(c, next) {
    // Mounted twice? The first run already decided the id, cookie and scope.
    if (c.get("analytics") !== undefined) return next();
    const { client, cookies } = enterWeb(core, c.req.raw, remoteAddress(c), new ContextCarrier(c), c);
    c.set("analytics", client);
    await (scoped ? runInScope(client, next) : next());
    const response = cookies.applyTo(c.res);
    if (response !== c.res) c.res = response;
  };
}
