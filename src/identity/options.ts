import { ThreadlineError } from "../errors.js";
import {
  resolvePrivacyOptions,
  PRIVACY_DEFAULTS,
  type PrivacyOptions,
  type ResolvedPrivacyOptions,
} from "./privacy-options.js";
import type { Tracker } from "./types.js";

/** Browser SDKs whose anonymous-id cookies the middleware can adopt. */
export type ForeignSdk = "segment" | "snowplow" | "posthog";

/** Browser SDKs whose cookie the middleware can write the id into. */
export type MirrorSdk = "segment";

/** What `context.ip` carries. */
export type IpMode = "full" | "anonymize" | "omit";

/** Options of `threadline()` from every adapter (`threadline/express`, `/koa`, `/fastify`, `/hono`, `/fetch`). */
export interface IdentityOptions<Req = never> extends PrivacyOptions<Req> {
  /**
   * The client the request-scoped calls go to.
   * @default the default client (`init()` options, else `THREADLINE_HOST` / `THREADLINE_WRITE_KEY`), resolved on the first call
   */
  analytics?: Tracker;
  /**
   * Name of the first-party anonymous-id cookie.
   * @default "aid"
   */
  cookieName?: string;
  /**
   * Lifetime of the cookies the middleware writes, in seconds; capped at 400 days (browsers cap there too).
   * @default 31536000 (one year)
   */
  maxAgeSeconds?: number;
  /**
   * `Domain` attribute of the `aid` cookie; also the domain of mirrored SDK cookies.
   * @default undefined (`aid` is host-only; mirrors go on the registrable domain of a host listed in `hosts`)
   */
  domain?: string;
  /**
   * The host names this app serves (`"www.shop.example"`; `".shop.example"` for all its
   * subdomains). Without `domain`, a mirrored SDK cookie goes on the registrable domain of
   * the request's host only when it is one of these, as analytics.js writes it; any other
   * `Host` header (spoofed, or a proxy's) gets a host-only cookie.
   * @default [] (mirrors are host-only unless `domain` is given)
   */
  hosts?: readonly string[];
  /**
   * Hide `aid` from page scripts. Browser SDKs and your own scripts can't read it then.
   * @default false
   */
  httpOnly?: boolean;
  /**
   * Re-send `aid` on every response so its lifetime counts from the last visit.
   * @default false
   */
  rolling?: boolean;
  /**
   * Adopt the id a browser SDK already set when there is no valid `aid`: `true` for all
   * known SDKs, `false` for none, or a list.
   * @default true (Segment `ajs_anonymous_id`, Snowplow `_sp_id.*`, PostHog `ph_*_posthog`, in that order)
   */
  foreignCookies?: boolean | readonly ForeignSdk[];
  /**
   * Also write the id into these SDKs' own cookies, so the browser SDK adopts the
   * server's id on the first visit instead of minting a second one.
   * @default []
   */
  mirror?: readonly MirrorSdk[];
  /**
   * `context.ip` of request-scoped calls: as the framework reports it, with the last
   * IPv4 octet / last 80 bits of IPv6 zeroed, or left out.
   * @default "full"
   */
  ip?: IpMode;
  /**
   * Run the rest of the request in a request scope, so every threadline call in it —
   * module-level `identify`/`track` deep in the app included — carries the visitor's ids
   * and context. `false` skips the scope's cost (promise hooks on Node 20/22); then only
   * the request-scoped client (`req.analytics`) fills them in.
   * @default true
   */
  scope?: boolean;
}

/** Hard ceiling browsers apply to cookie lifetimes (RFC 6265bis). */
export const MAX_COOKIE_AGE_SECONDS = 400 * 24 * 60 * 60;

/** Every default in one place. */
export const IDENTITY_DEFAULTS = {
  cookieName: "aid",
  maxAgeSeconds: 365 * 24 * 60 * 60,
  domain: undefined as string | undefined,
  httpOnly: false,
  rolling: false,
  foreignCookies: ["segment", "snowplow", "posthog"] as readonly ForeignSdk[],
  mirror: [] as readonly MirrorSdk[],
  ip: "full" as IpMode,
  scope: true,
  hosts: [] as readonly string[],
} as const;

export interface ResolvedIdentityOptions {
  analytics: Tracker | undefined;
  cookieName: string;
  maxAgeSeconds: number;
  domain: string | undefined;
  httpOnly: boolean;
  rolling: boolean;
  readSegment: boolean;
  readSnowplow: boolean;
  readPostHog: boolean;
  mirrorSegment: boolean;
  ip: IpMode;
  scope: boolean;
  /** Lower-cased; an entry starting with "." covers the subdomains. */
  hosts: readonly string[];
  privacy: ResolvedPrivacyOptions;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DOMAIN = /^\.?[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const FOREIGN: readonly ForeignSdk[] = ["segment", "snowplow", "posthog"];
const CALLS = ["identify", "track", "page", "screen", "group", "alias"] as const;
/** Every option name, for the unknown-option check (a new default adds its name here by itself). */
const KNOWN: readonly string[] = [
  "analytics",
  "consent",
  ...Object.keys(IDENTITY_DEFAULTS),
  ...Object.keys(PRIVACY_DEFAULTS),
];
const BOOLEANS = ["httpOnly", "rolling", "scope"] as const;

function configError(message: string): ThreadlineError {
  return new ThreadlineError("config", `threadline middleware: ${message}`);
}

/** Fill defaults and reject bad options at construction, the one place a throw is right. */
export function resolveIdentityOptions(
  options: IdentityOptions = {},
  adapterOptions: readonly string[] = [],
): ResolvedIdentityOptions {
  if (options === null || typeof options !== "object") throw configError("options must be an object");
  const known = adapterOptions.length === 0 ? KNOWN : [...KNOWN, ...adapterOptions];
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      const lower = key.toLowerCase();
      const near =
        known.find((name) => name.toLowerCase() === lower) ??
        known.find((name) => lower.length > 2 && name.toLowerCase().startsWith(lower));
      const hint = near === undefined ? "" : ` (did you mean \`${near}\`?)`;
      throw configError(`unknown option \`${key}\`${hint}; valid options are ${known.join(", ")}`);
    }
  }
  for (const name of BOOLEANS) {
    const value = options[name];
    if (value !== undefined && typeof value !== "boolean")
      throw configError(`${name} must be true or false, got ${JSON.stringify(value)}`);
  }
  const o = { ...IDENTITY_DEFAULTS, ...stripUndefined(options) };

  if (options.analytics !== undefined) {
    const client = options.analytics as unknown as Record<string, unknown>;
    const missing = CALLS.filter((name) => typeof client?.[name] !== "function");
    if (missing.length > 0) throw configError(`analytics lacks ${missing.join(", ")}`);
  }
  if (typeof o.cookieName !== "string" || !COOKIE_NAME.test(o.cookieName)) {
    throw configError(`cookieName ${JSON.stringify(o.cookieName)} is not a valid cookie name`);
  }
  if (!Number.isInteger(o.maxAgeSeconds) || o.maxAgeSeconds <= 0) {
    throw configError("maxAgeSeconds must be a positive whole number of seconds");
  }
  if (o.domain !== undefined && (typeof o.domain !== "string" || !DOMAIN.test(o.domain))) {
    throw configError(`domain ${JSON.stringify(o.domain)} is not a valid cookie domain`);
  }
  if (o.ip !== "full" && o.ip !== "anonymize" && o.ip !== "omit") {
    throw configError(`ip must be "full", "anonymize" or "omit"`);
  }
  const foreign = o.foreignCookies === true ? FOREIGN : o.foreignCookies === false ? [] : o.foreignCookies;
  if (!Array.isArray(foreign) || foreign.some((sdk) => !FOREIGN.includes(sdk))) {
    throw configError(`foreignCookies must be a boolean or a list of ${FOREIGN.join(", ")}`);
  }
  if (!Array.isArray(o.mirror) || o.mirror.some((sdk) => sdk !== "segment")) {
    throw configError(`mirror must be a list of "segment"`);
  }

  return {
    analytics: options.analytics,
    cookieName: o.cookieName,
    maxAgeSeconds: Math.min(o.maxAgeSeconds, MAX_COOKIE_AGE_SECONDS),
    domain: o.domain,
    httpOnly: o.httpOnly === true,
    rolling: o.rolling === true,
    readSegment: foreign.includes("segment"),
    readSnowplow: foreign.includes("snowplow"),
    readPostHog: foreign.includes("posthog"),
    mirrorSegment: o.mirror.includes("segment"),
    ip: o.ip,
    scope: o.scope !== false,
    hosts: resolveHosts(o.hosts),
    privacy: resolvePrivacyOptions(options as PrivacyOptions<unknown>, o.cookieName),
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] !== undefined) out[key] = value[key];
  }
  return out;
}

function resolveHosts(hosts: unknown): readonly string[] {
  if (!Array.isArray(hosts) || hosts.some((host) => typeof host !== "string" || !DOMAIN.test(host))) {
    throw configError(`hosts must be a list of host names such as "www.shop.example" or ".shop.example"`);
  }
  return hosts.map((host: string) => host.toLowerCase());
}
