/**
 * `threadline/fastify`: the identity plugin for Fastify 4 and 5.
 *
 *     import threadline from "threadline/fastify";
 *     await app.register(threadline, { analytics });
 *     app.post("/signup", async (request) => {
 *       await createUser(request.body); // module-level identify/track inside
 *       request.analytics.track({ event: "Signed Up" });
 *       return { anonymousId: request.anonymousId };
 *     });
 *
 * Only types come from `fastify`: importing this file never loads the framework.
 */
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest } from "fastify";
import { defaultTracker } from "./default-tracker.js";
import { IdentityCore } from "./identity/identity-core.js";
import type { IdentityOptions } from "./identity/options.js";
import type { RequestAnalytics } from "./identity/request-client.js";
import type { ServerResponse } from "./identity/set-cookie.js";
import type { RequestAdapter } from "./identity/types.js";
import { runInScope } from "./scope.js";

export type { IdentityOptions, ForeignSdk, IpMode, MirrorSdk } from "./identity/options.js";
export type { RequestAnalytics, RequestAliasMessage } from "./identity/request-client.js";
export type { Tracker } from "./identity/types.js";
export { IDENTITY_DEFAULTS } from "./identity/options.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The visitor's anonymous id (the `aid` cookie, adopted from a browser SDK, or new). Set by threadline's plugin. */
    anonymousId: string;
    /** threadline's six calls bound to this request (anonymousId, userId after identify, context). */
    analytics: RequestAnalytics;
  }
}

/** `host[:port]`: Fastify 5 has `request.host`; Fastify 4's `hostname` still carries the port. */
function hostOf(request: FastifyRequest): string | undefined {
  return (request as { host?: string }).host || request.hostname || undefined;
}

function withoutPort(host: string | undefined): string | undefined {
  if (!host) return undefined;
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const colon = host.indexOf(":");
  return colon === -1 ? host : host.slice(0, colon);
}

// Fastify's getters honour `trustProxy`, so forwarded headers count only behind a trusted proxy.
const fastifyAdapter: RequestAdapter<FastifyRequest> = {
  headers: (request) => request.headers,
  secure: (request) => request.protocol === "https",
  hostname: (request) => withoutPort(hostOf(request)),
  host: hostOf,
  protocol: (request) => request.protocol,
  originalUrl: (request) => request.originalUrl || request.url,
  ip: (request) => request.ip || undefined,
};

/**
 * The reply as the core's cookie target. Through Fastify's own header API, not the raw
 * response: Fastify writes its headers with `writeHead`, which would replace a
 * `Set-Cookie` set on the raw response, and `reply.header()` appends cookies.
 */
class ReplyCookies implements ServerResponse {
  constructor(private readonly reply: FastifyReply) {}
  get headersSent(): boolean {
    return this.reply.sent || this.reply.raw.headersSent;
  }
  getHeader(name: string): number | string | string[] | undefined {
    return this.reply.getHeader(name) as number | string | string[] | undefined;
  }
  setHeader(name: string, value: number | string | readonly string[]): void {
    this.reply.removeHeader(name);
    this.reply.header(name, value);
  }
  removeHeader(name: string): void {
    this.reply.removeHeader(name);
  }
}

/**
 * The Fastify plugin: `request.anonymousId`, `request.analytics`, the `aid` cookie when
 * needed, and the request scope around the rest of the request. Not encapsulated (as
 * `fastify-plugin` would make it), so it covers every route of the app it is registered on.
 * Option errors (`config`) reject `register()` / `ready()`.
 */
export const threadline: FastifyPluginCallback<IdentityOptions<FastifyRequest>> = function threadline(
  fastify: FastifyInstance,
  options: IdentityOptions<FastifyRequest>,
  done: (err?: Error) => void,
): void {
  let core: IdentityCore<FastifyRequest>;
  try {
    core = new IdentityCore(options, fastifyAdapter, defaultTracker);
  } catch (err) {
    return done(err as Error);
  }
  const scoped = core.options.scope;
  // Decorated with null, filled per request: Fastify 5 refuses reference-type decorators.
  if (!fastify.hasRequestDecorator("anonymousId")) fastify.decorateRequest("anonymousId", null as unknown as string);
  if (!fastify.hasRequestDecorator("analytics"))
    fastify.decorateRequest("analytics", null as unknown as RequestAnalytics);

  fastify.addHook("onRequest", (request, reply, next) => {
    // Registered twice? The first run already decided the id, cookie and scope.
    if (request.analytics !== null) return next();
    let client;
    try {
      client = core.enter(request, new ReplyCookies(reply), request, request.headers.cookie);
    } catch (err) {
      return next(err as Error);
    }
    request.analytics = client;
    // Fastify runs body parsers in an AsyncResource of the request, so the handler of a
    // request with a body still runs in the scope opened here.
    if (scoped) runInScope(client, next);
    else next();
  });
  done();
};

// What `fastify-plugin` sets: no encapsulation, a name in errors and `printPlugins()`.
const meta = threadline as unknown as Record<symbol, unknown>;
meta[Symbol.for("skip-override")] = true;
meta[Symbol.for("fastify.display-name")] = "threadline";
meta[Symbol.for("plugin-meta")] = { name: "threadline", fastify: "4.x || 5.x" };

export default threadline;
