import { getDomain } from "tldts";

// Hosts repeat endlessly across requests; a bounded memo keeps the Public Suffix List
// lookup off the per-request path without letting spoofed Host headers grow memory.
const MEMO_LIMIT = 1000;
const memo = new Map<string, string | null>();

// Browsers apply the whole Public Suffix List, private section included (a cookie on
// `github.io` is refused), so we must too.
const TLD_OPTIONS = { allowPrivateDomains: true } as const;

/**
 * The domain analytics.js puts its cookie on for a page on `hostname`: the registrable
 * domain (`www.shop.example` → `shop.example`), or undefined (host-only) for IP
 * addresses, `localhost`, single-label hosts and anything unparseable.
 */
export function registrableDomain(hostname: string | undefined): string | undefined {
  if (hostname === undefined || hostname.length === 0) return undefined;
  let domain = memo.get(hostname);
  if (domain === undefined) {
    domain = lookup(hostname);
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(hostname, domain);
  }
  return domain ?? undefined;
}

function lookup(hostname: string): string | null {
  try {
    const domain = getDomain(hostname, TLD_OPTIONS);
    return domain === null || domain === "" ? null : domain.toLowerCase();
  } catch {
    return null;
  }
}
