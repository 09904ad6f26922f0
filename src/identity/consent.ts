import type { IncomingHttpHeaders } from "node:http";

/**
 * What a visitor agreed to, per request:
 * - `full`: the `aid` cookie, foreign ids, mirrors, sessions, everything sent.
 * - `anonymous`: no persistent cookie written or read; the anonymous id is the session's
 *   own id, in a cookie that ends with the browser session; no `context.ip`; `identify`
 *   and `alias` not sent, `userId` and `traits` stripped from the other calls.
 * - `none`: no cookie read or written (the ones set earlier are expired); nothing sent.
 */
export type ConsentLevel = "full" | "anonymous" | "none";

/** The most a request with `Sec-GPC: 1` gets; `ignore` leaves it to `consent`. */
export type GpcMode = "anonymous" | "none" | "ignore";

const RANK: Record<ConsentLevel, number> = { none: 0, anonymous: 1, full: 2 };

export function isConsentLevel(value: unknown): value is ConsentLevel {
  return value === "full" || value === "anonymous" || value === "none";
}

/** True when the request carries Global Privacy Control (`Sec-GPC: 1`). */
export function hasGpc(headers: IncomingHttpHeaders): boolean {
  const value = headers["sec-gpc"];
  const text = typeof value === "string" ? value : Array.isArray(value) ? value[0] : undefined;
  return text !== undefined && text.trim() === "1";
}

/** The lower of two levels. */
export function capConsent(level: ConsentLevel, cap: ConsentLevel): ConsentLevel {
  return RANK[level] <= RANK[cap] ? level : cap;
}

/** The level a request gets: what the app's `consent` said, capped by GPC unless ignored. */
export function effectiveConsent(asked: ConsentLevel, headers: IncomingHttpHeaders, gpc: GpcMode): ConsentLevel {
  if (gpc === "ignore" || asked === "none" || !hasGpc(headers)) return asked;
  return capConsent(asked, gpc);
}
