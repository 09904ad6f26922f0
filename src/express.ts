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
import { IdentityCore } from "./identity/identity-core.js";
import { RequestClient } from "./identity/request-client.js";
import type { IdentityOptions } from "./identity/options.js";
import type { RequestAnalytics } from "./identity/request-client.js";
import type { RequestAdapter } from "./identity/types.js";

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
  const candidates = [req.headers.host, String(req.headers["x-forwarded-host"] ?? "").split(",", 1)[0]!.trim()];
  for (const candidate of candidates) {
    if (candidate && (candidate === hostname || candidate.startsWith(`${hostname}:`))) return candidate;
  }
  return hostname;
}

// Express's own getters honour `trust proxy`, so a spoofed X-Forwarded-* header only
// counts when the app said to trust the proxy that sent it.
const expressAdapter: RequestAdapter<Request> = {
  headers: (req) => req.headers,
  secure: (req) => req.secure,
  hostname: (req) => req.hostname || undefined,
  host: hostWithPort,
  protocol: (req) => req.protocol,
  originalUrl: (req) => req.originalUrl || req.url,
  ip: (req) => req.ip,
};

/** The Express middleware: sets `req.anonymousId`, `req.analytics` and, when needed, the `aid` cookie. */
export function threadline(options?: IdentityOptions): RequestHandler {
  const core = new IdentityCore(options, expressAdapter);
  return function threadlineIdentity(req: Request, res: Response, next: NextFunction): void {
    // Mounted twice (app and router)? The first run already decided the id and cookie.
    if (req.analytics instanceof RequestClient) return next();
    try {
      req.analytics = core.begin(req, res, req);
    } catch (err) {
      next(err);
      return;
    }
    next();
  };
}

