/**
 * `threadline/fetch`: the identity middleware for any Web-standard handler —
 * `(request: Request, ...rest) => Response | Promise<Response>` — such as Next.js route
 * handlers on the Node runtime, Bun-style servers, or `node:http` through a small bridge.
 *
 *     export const POST = withThreadline(async (request) => {
 *       const user = await createUser(await request.formData()); // module-level identify/track inside
 *       analyticsFor(request).track({ event: "Signed Up" });
 *       return Response.json({ ok: true });
 *     });
 *
 * Imports nothing from any framework.
 */
import { defaultTracker } from "./default-tracker.js";
import { ThreadlineError } from "./errors.js";
import { IdentityCore } from "./identity/identity-core.js";
import type { IdentityOptions } from "./identity/options.js";
import type { RequestAnalytics } from "./identity/request-client.js";
import type { RequestAdapter } from "./identity/types.js";
import { enterWeb, webAdapter, type WebRequest } from "./identity/web.js";
import { runInScope } from "./scope.js";

export type { IdentityOptions, ForeignSdk, IpMode, MirrorSdk } from "./identity/options.js";
export type { RequestAnalytics, RequestAliasMessage } from "./identity/request-client.js";
export type { Tracker } from "./identity/types.js";
export { IDENTITY_DEFAULTS } from "./identity/options.js";

/** A Web-standard handler: a `Request` (and whatever the platform passes after it) in, a `Response` out. */
export type FetchHandler<Rest extends unknown[] = unknown[]> = (
  request: Request,
  ...rest: Rest
) => Response | Promise<Response>;

/** Options of {@link withThreadline}: the identity options every adapter takes, plus where the client's address comes from. */
export interface FetchOptions<Rest extends unknown[] = unknown[]> extends IdentityOptions<Request> {
  /**
   * The client's IP for `context.ip`; a Web `Request` carries none. Return the platform's
   * answer, e.g. a trusted proxy's `X-Forwarded-For`.
   * @default no `context.ip`
   */
  clientIp?: (request: Request, ...rest: Rest) => string | undefined;
}

const clients = new WeakMap<Request, RequestAnalytics>();
const fetchAdapter: RequestAdapter<WebRequest> = { ...webAdapter, options: ["clientIp"] };

/**
 * Wrap `handler` so each request gets its anonymous id, a request-scoped client
 * ({@link analyticsFor}) and the request scope; the `Set-Cookie` lines the visitor needs
 * are appended to the `Response` it returns (a copy when its headers are immutable).
 * @throws ThreadlineError `config` for an unknown or mistyped option
 */
export function withThreadline<Rest extends unknown[]>(
  handler: FetchHandler<Rest>,
  options?: FetchOptions<Rest>,
): (request: Request, ...rest: Rest) => Promise<Response> {
  if (typeof handler !== "function")
    throw new ThreadlineError("config", "withThreadline(handler, options): handler must be a function");
  const clientIp = options?.clientIp;
  if (clientIp !== undefined && typeof clientIp !== "function")
    throw new ThreadlineError("config", "threadline middleware: clientIp must be a function");
  const core = new IdentityCore<WebRequest>(options, fetchAdapter, defaultTracker);
  const scoped = core.options.scope;
  return async function threadlineHandler(request: Request, ...rest: Rest): Promise<Response> {
    const { client, cookies } = enterWeb(core, request, clientIp?.(request, ...rest));
    clients.set(request, client);
    const response = await (scoped ? runInScope(client, () => handler(request, ...rest)) : handler(request, ...rest));
    return cookies.applyTo(response);
  };
}

/**
 * The request-scoped client of a request that came through {@link withThreadline}: its
 * calls fill in the visitor's `anonymousId`, bound `userId` and the request's context.
 * @throws ThreadlineError `config` when `request` did not come through `withThreadline`
 */
export function analyticsFor(request: Request): RequestAnalytics {
  const client = clients.get(request);
  if (client === undefined)
    throw new ThreadlineError("config", "analyticsFor(request): this request did not come through withThreadline()");
  return client;
}
