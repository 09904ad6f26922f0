import { randomUUID } from "node:crypto";

/** Longest id we accept from a cookie; anything longer is someone else's data or an attack. */
export const MAX_ID_LENGTH = 128;

/**
 * True when `value` is safe to adopt as an anonymous id and to echo in `Set-Cookie`:
 * 1–128 of `A-Za-z0-9._:-`, the characters a cookie value holds unencoded that ids
 * actually use. That excludes everything that could break out of a header or a cookie
 * (CR, LF, `;`, `"`, `,`, spaces, `%`), so an accepted id can be written back raw.
 * A loop, not `/^[A-Za-z0-9._:-]{1,128}$/`: every returning request checks one, and the
 * loop costs about half the expression's ~100 ns (Node 20 and 24).
 */
export function isValidAnonymousId(value: unknown): boolean {
  return typeof value === "string" && isValidAnonymousIdIn(value, 0, value.length);
}

/**
 * {@link isValidAnonymousId} of `text.slice(start, end)`, checked where it lies: the
 * returning visitor's `aid` is checked inside the `Cookie` header, a flat string, before
 * it is sliced (a slice's `charCodeAt` costs more, see session-cookie.ts).
 */
export function isValidAnonymousIdIn(text: string, start: number, end: number): boolean {
  if (end <= start || end - start > MAX_ID_LENGTH) return false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    // a-z, A-Z, 0-9 and `:` (48–58), `-`, `.`, `_`
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 58) || c === 45 || c === 46 || c === 95))
      return false;
  }
  return true;
}

/** A fresh anonymous id (UUID v4), the format analytics.js uses too. */
export function generateAnonymousId(): string {
  return randomUUID();
}
