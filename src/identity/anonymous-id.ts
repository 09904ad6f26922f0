import { randomUUID } from "node:crypto";

/** Longest id we accept from a cookie; anything longer is someone else's data or an attack. */
export const MAX_ID_LENGTH = 128;

// The characters a cookie value can hold unencoded that ids actually use. Excludes
// everything that could break out of a header or a cookie (CR, LF, `;`, `"`, `,`,
// spaces, `%`) so an accepted id can be written back raw.
const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** True when `value` is safe to adopt as an anonymous id and to echo in `Set-Cookie`. */
export function isValidAnonymousId(value: unknown): boolean {
  return typeof value === "string" && ID_PATTERN.test(value);
}

/** A fresh anonymous id (UUID v4), the format analytics.js uses too. */
export function generateAnonymousId(): string {
  return randomUUID();
}
