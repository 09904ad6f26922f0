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
 * The raw value of the first `name` cookie, found without parsing the whole header:
 * the returning visitor's hot path. Undefined when absent, or when the header is not
 * the plain `a=1; b=2` shape (array, spaces around `=`, quotes); callers then fall back
 * to {@link parseCookieHeader}, so both agree whenever this answers.
 */
export function firstCookieValue(header: string | string[] | undefined, name: string): string | undefined {
  if (typeof header !== "string") return undefined;
  let at = header.indexOf(name + "=");
  while (at !== -1) {
    // A name boundary: the header's start, or `;` then optional spaces.
    let before = at - 1;
    while (before >= 0 && header.charCodeAt(before) === 32) before--;
    if (before < 0 || header.charCodeAt(before) === 59) {
      const start = at + name.length + 1;
      const end = header.indexOf(";", start);
      return (end === -1 ? header.slice(start) : header.slice(start, end)).trim();
    }
    at = header.indexOf(name + "=", at + 1);
  }
  return undefined;
}
