import { ThreadlineError } from "../errors.js";
import type { ConsentLevel, GpcMode } from "./consent.js";

/** `session` as an object: the inactivity timeout and the cookie's name. */
export interface SessionSettings {
  /**
   * A session ends after this many seconds without a request.
   * @default 1800 (30 minutes, as Snowplow and PostHog)
   */
  timeoutSeconds?: number;
  /**
   * The session cookie's name.
   * @default "aid_session"
   */
  cookieName?: string;
}

/** The middleware options about sessions and consent (part of every adapter's options). */
export interface PrivacyOptions<Req = never> {
  /**
   * Sessions: `context.session = { sessionId, sessionIndex, previousSessionId, startedAt }`
   * on every request-scoped and scoped call, kept in a first-party cookie; a live
   * Snowplow or PostHog browser session is adopted. `false` turns them off.
   * @default true ({ timeoutSeconds: 1800, cookieName: "aid_session" })
   */
  session?: boolean | SessionSettings;
  /**
   * The visitor's consent level for this request, given the framework's own request
   * object (Express `req`, Koa `ctx`, Fastify `request`, Hono `c`, the fetch `Request`):
   * `full`, `anonymous` (no persistent cookie, no ip, no userId or traits, no identify or
   * alias) or `none` (nothing sent, the middleware's cookies expired).
   * @default () => "full"
   */
  consent?(req: Req): ConsentLevel;
  /**
   * The most a request with `Sec-GPC: 1` (Global Privacy Control) gets; `ignore` leaves it to `consent`.
   * @default "anonymous"
   */
  gpc?: GpcMode;
}

export const PRIVACY_DEFAULTS = {
  session: { timeoutSeconds: 1800, cookieName: "aid_session" },
  gpc: "anonymous" as GpcMode,
} as const;

export interface ResolvedPrivacyOptions {
  /** Undefined when sessions are off. */
  session: { timeoutMs: number; cookieName: string } | undefined;
  consent: ((req: unknown) => unknown) | undefined;
  gpc: GpcMode;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const configError = (text: string) => new ThreadlineError("config", `threadline middleware: ${text}`);

/** Check and fill the session and consent options (a throw at construction, the one place it is right). */
export function resolvePrivacyOptions(options: PrivacyOptions<unknown>, idCookieName: string): ResolvedPrivacyOptions {
  const { session = true, consent, gpc = PRIVACY_DEFAULTS.gpc } = options;
  let resolvedSession: ResolvedPrivacyOptions["session"];
  if (session === true || (session !== null && typeof session === "object" && !Array.isArray(session))) {
    const settings = session === true ? {} : session;
    const timeoutSeconds = settings.timeoutSeconds ?? PRIVACY_DEFAULTS.session.timeoutSeconds;
    const cookieName = settings.cookieName ?? PRIVACY_DEFAULTS.session.cookieName;
    if (typeof timeoutSeconds !== "number" || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
      throw configError(`session.timeoutSeconds must be a positive number of seconds, got ${String(timeoutSeconds)}`);
    }
    if (typeof cookieName !== "string" || !COOKIE_NAME.test(cookieName)) {
      throw configError(`session.cookieName ${JSON.stringify(cookieName)} is not a valid cookie name`);
    }
    if (cookieName === idCookieName)
      throw configError(`session.cookieName must differ from cookieName (${JSON.stringify(idCookieName)})`);
    for (const key of Object.keys(settings)) {
      if (key !== "timeoutSeconds" && key !== "cookieName")
        throw configError(`unknown session option ${JSON.stringify(key)} (valid: timeoutSeconds, cookieName)`);
    }
    resolvedSession = { timeoutMs: timeoutSeconds * 1000, cookieName };
  } else if (session !== false) {
    throw configError("session must be true, false or { timeoutSeconds, cookieName }");
  }
  if (consent !== undefined && typeof consent !== "function")
    throw configError('consent must be a function (req) => "full" | "anonymous" | "none"');
  if (gpc !== "anonymous" && gpc !== "none" && gpc !== "ignore")
    throw configError(`gpc must be "anonymous", "none" or "ignore"`);
  return { session: resolvedSession, consent: consent as ResolvedPrivacyOptions["consent"], gpc };
}
