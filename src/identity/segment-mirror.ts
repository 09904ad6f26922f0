import { registrableDomain } from "./cookie-domain.js";
import { SEGMENT_COOKIE } from "./foreign-ids.js";
import { buildSetCookie } from "./set-cookie.js";

/**
 * The value analytics.js will read back as exactly `id`. It reads a cookie by trying
 * `JSON.parse` first, so an id that happens to be JSON (`123`, `true`, `null`) is
 * written JSON-quoted and URL-encoded, the form older analytics.js wrote; every other
 * id goes raw, as analytics.js 1.84 writes a UUID.
 */
export function segmentCookieValue(id: string): string {
  try {
    JSON.parse(id);
  } catch {
    return id;
  }
  return `%22${id}%22`;
}

export interface MirrorSettings {
  maxAgeSeconds: number;
  /** The middleware's `domain` option, which wins over the registrable domain. */
  domain: string | undefined;
  /** The hosts the app serves (the `hosts` option, lower-cased; ".x" covers x's subdomains). */
  hosts: readonly string[];
}

/** True when `hostname` is one the app said it serves. */
export function servesHost(hostname: string | undefined, hosts: readonly string[]): boolean {
  if (hostname === undefined || hosts.length === 0) return false;
  const host = hostname.toLowerCase();
  return hosts.some((entry) =>
    entry.startsWith(".") ? host === entry.slice(1) || host.endsWith(entry) : host === entry,
  );
}

/**
 * `ajs_anonymous_id` as analytics.js writes it: `Path=/`, `SameSite=Lax`, never
 * `HttpOnly` (the SDK must read it), on the registrable domain of the page's host
 * (host-only for IPs and `localhost`). A host-only copy would lose to an older
 * domain-wide one: the browser lists that first and the SDK reads the first. The
 * `Domain` is only ever the configured one or that of a host the app serves: a `Host`
 * header anyone can send must not choose where our cookie goes.
 */
export function segmentMirrorCookie(
  id: string,
  hostname: string | undefined,
  secure: boolean,
  settings: MirrorSettings,
): string {
  const domain = settings.domain ?? (servesHost(hostname, settings.hosts) ? registrableDomain(hostname) : undefined);
  const attributes = { maxAgeSeconds: settings.maxAgeSeconds, domain, httpOnly: false, secure };
  try {
    return buildSetCookie(SEGMENT_COOKIE, segmentCookieValue(id), attributes);
  } catch {
    // A host the cookie grammar refuses (spoofed Host header): fall back to host-only.
    return buildSetCookie(SEGMENT_COOKIE, segmentCookieValue(id), { ...attributes, domain: undefined });
  }
}
