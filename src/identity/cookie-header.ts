import { parse } from "cookie";

/** Cookie values exactly as sent: ids are validated raw, and SDK formats are decoded by their readers. */
export type RawCookies = Record<string, string | undefined>;

const keepRaw = (value: string): string => value;
const EMPTY: RawCookies = Object.freeze(Object.create(null)) as RawCookies;

/**
 * Parse a `Cookie` header once, without decoding values. The `cookie` package keeps
 * the first occurrence of a name. A malformed header never throws: at worst it
 * yields fewer cookies.
 */
export function parseCookieHeader(header: string | string[] | undefined): RawCookies {
  if (header === undefined || header.length === 0) return EMPTY;
  const text = typeof header === "string" ? header : header.join("; ");
  try {
    return parse(text, { decode: keepRaw });
  } catch {
    return EMPTY;
  }
}

/**
 * Every value sent under `name`, in header order. Only used on the cold path where
 * the first `aid` was invalid, to honour "the first valid one" among duplicates.
 */
export function allCookieValues(header: string | string[] | undefined, name: string): string[] {
  if (header === undefined) return [];
  const text = typeof header === "string" ? header : header.join("; ");
  const values: string[] = [];
  for (const pair of text.split(";")) {
    const eq = pair.indexOf("=");
    if (eq === -1) continue;
    if (pair.slice(0, eq).trim() === name) values.push(pair.slice(eq + 1).trim());
  }
  return values;
}

/**
 * Where the value of the first cookie whose name and `=` are `needle` (built once, not
 * per request) starts in `header`, or -1: the returning visitor's hot path, which reads
 * the value in place rather than parsing the whole header. Only the plain `a=1; b=2`
 * shape is found (no spaces before `=`); callers fall back to {@link parseCookieHeader}
 * when this or their check of the value says no, so both agree whenever this answers.
 */
export function cookieValueStart(header: string, needle: string): number {
  let at = header.indexOf(needle);
  while (at !== -1) {
    // A name boundary: the header's start, or `;` then optional spaces.
    let before = at - 1;
    while (before >= 0 && header.charCodeAt(before) === 32) before--;
    if (before < 0 || header.charCodeAt(before) === 59) return at + needle.length;
    at = header.indexOf(needle, at + 1);
  }
  return -1;
}

/** Where the cookie value starting at `start` ends: the next `;`, or the header's end. Untrimmed. */
export function cookieValueEnd(header: string, start: number): number {
  const end = header.indexOf(";", start);
  return end === -1 ? header.length : end;
}
