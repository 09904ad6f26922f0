import { mergeContextUnder } from "../scope.js";
import { contextIp } from "./ip.js";
import type { IpMode } from "./options.js";
import type { Session } from "./session.js";
import type { RequestAdapter } from "./types.js";

export interface PageContext {
  url?: string;
  path: string;
  search: string;
  referrer: string;
}

/** The part of `context` the middleware derives from the request, shaped as analytics.js sends it. */
export interface RequestContext {
  ip?: string;
  userAgent?: string;
  locale?: string;
  page: PageContext;
  campaign?: Record<string, string>;
  /** The visit's session (Snowplow's `client_session` names), when sessions are on. */
  session?: Session;
  /** Present only under `anonymous` consent. */
  consent?: "anonymous";
}

const LOCALE = /^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$/;

/** The first language of an `Accept-Language` header (`en-US,en;q=0.9` → `en-US`), if well-formed. */
export function firstLocale(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  let end = header.length;
  const comma = header.indexOf(",");
  if (comma !== -1) end = comma;
  const semi = header.indexOf(";");
  if (semi !== -1 && semi < end) end = semi;
  const tag = header.slice(0, end).trim();
  return LOCALE.test(tag) ? tag : undefined;
}

/**
 * `context.campaign` from `utm_*` query parameters, named as analytics.js names them:
 * the prefix dropped, `utm_campaign` becoming `name`. Undefined when there are none.
 */
export function campaignFromSearch(search: string): Record<string, string> | undefined {
  if (!search.includes("utm_")) return undefined;
  let campaign: Record<string, string> | undefined;
  for (const [key, value] of new URLSearchParams(search)) {
    if (!key.startsWith("utm_") || key.length === 4) continue;
    const field = key === "utm_campaign" ? "name" : key.slice(4);
    campaign ??= {};
    if (campaign[field] === undefined) campaign[field] = value;
  }
  return campaign;
}

function headerText(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  return typeof value === "string" ? value : value[0];
}

/** Build the request's context once; every call of the request shares it (read-only). */
export function buildRequestContext<Req>(adapter: RequestAdapter<Req>, req: Req, ipMode: IpMode): RequestContext {
  const headers = adapter.headers(req);
  const original = adapter.originalUrl(req) || "/";
  const query = original.indexOf("?");
  const path = query === -1 ? original : original.slice(0, query);
  // A lone "?" is no search, as in `location.search`.
  const search = query === -1 || query === original.length - 1 ? "" : original.slice(query);
  const host = adapter.host(req);

  const page: PageContext = {
    path,
    search,
    referrer: headerText(headers.referer) ?? "",
  };
  if (host) page.url = `${adapter.protocol(req)}://${host}${original}`;

  const context: RequestContext = { page };
  const ip = contextIp(adapter.ip(req), ipMode);
  if (ip !== undefined) context.ip = ip;
  const userAgent = headerText(headers["user-agent"]);
  if (userAgent) context.userAgent = userAgent;
  const locale = firstLocale(headerText(headers["accept-language"]));
  if (locale !== undefined) context.locale = locale;
  const campaign = campaignFromSearch(search);
  if (campaign !== undefined) context.campaign = campaign;
  return context;
}

/**
 * The request's context under the app's own: the app's fields win, and its `page` /
 * `campaign` objects are laid over ours field by field rather than replacing them.
 */
export function mergeContext(base: RequestContext, own: Record<string, unknown> | undefined): Record<string, unknown> {
  return mergeContextUnder(base as unknown as Record<string, unknown>, own);
}
