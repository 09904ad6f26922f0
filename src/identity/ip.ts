import { isIPv4, isIPv6 } from "node:net";
import type { IpMode } from "./options.js";

const MAPPED_V4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** `context.ip` for a mode: the address, its anonymized form, or undefined (omit). */
export function contextIp(ip: string | undefined, mode: IpMode): string | undefined {
  if (ip === undefined || ip.length === 0 || mode === "omit") return undefined;
  return mode === "anonymize" ? anonymizeIp(ip) : ip;
}

/**
 * Zero the host part, as analytics tools do for privacy: the last octet of IPv4, the
 * last 80 bits of IPv6 (keeping the /48 routing prefix). Unknown input gives undefined
 * rather than leaking it unchanged.
 */
export function anonymizeIp(ip: string): string | undefined {
  if (isIPv4(ip)) return zeroLastOctet(ip);
  const mapped = MAPPED_V4.exec(ip);
  if (mapped !== null && isIPv4(mapped[1]!)) return `::ffff:${zeroLastOctet(mapped[1]!)}`;
  const zoneless = ip.split("%", 1)[0]!;
  if (!isIPv6(zoneless)) return undefined;
  const groups = expandIPv6(zoneless);
  if (groups === undefined) return undefined;
  const zeroed = [...groups.slice(0, 3), 0, 0, 0, 0, 0].map((g) => g.toString(16)).join(":");
  // The WHATWG URL parser prints IPv6 in canonical (RFC 5952) form.
  return new URL(`http://[${zeroed}]/`).hostname.slice(1, -1);
}

function zeroLastOctet(ipv4: string): string {
  return ipv4.slice(0, ipv4.lastIndexOf(".") + 1) + "0";
}

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail counts as two). */
function expandIPv6(ip: string): number[] | undefined {
  const [head = "", tail] = ip.split("::") as [string, string | undefined];
  const toGroups = (part: string): number[] => {
    if (part === "") return [];
    const out: number[] = [];
    for (const piece of part.split(":")) {
      if (piece.includes(".")) {
        const [a, b, c, d] = piece.split(".").map(Number) as [number, number, number, number];
        out.push((a << 8) | b, (c << 8) | d);
      } else out.push(parseInt(piece, 16));
    }
    return out;
  };
  const left = toGroups(head);
  const right = tail === undefined ? [] : toGroups(tail);
  const missing = 8 - left.length - right.length;
  if (missing < 0 || (tail === undefined && missing !== 0)) return undefined;
  return [...left, ...new Array<number>(missing).fill(0), ...right];
}
