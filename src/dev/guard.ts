import type { IncomingMessage } from "node:http";
import { HttpError } from "./http.js";

/*
 * The collector's doors: which requests it answers at all. It listens on loopback only,
 * but a web page the developer has open can still reach it, by address or through a
 * rebound DNS name, so the target, the Host and the Origin are checked before routing.
 */

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

// Origin-form only (RFC 9112 §3.2.1): a path from "/" and a query, in the characters
// RFC 3986 allows there. Everything else (absolute-form, "*", "//x", backslashes, raw
// spaces or quotes) is refused rather than guessed at; WHATWG URL parsing would read
// "//x" or "/\x" as another host.
const TARGET = /^\/(?!\/)[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*(?:\?[A-Za-z0-9\-._~!$&'()*+,;=:@/?%]*)?$/;
const BAD_PERCENT = /%(?![0-9A-Fa-f]{2})/;

function badTarget(target: string): HttpError {
  const shown = target.length > 80 ? `${target.slice(0, 80)}…` : target;
  return new HttpError(
    400,
    "invalid_target",
    `The request target ${JSON.stringify(shown)} is not a path such as /v1/batch (percent-encode anything else).`,
  );
}

/** The request target as a URL on the collector, or a 400 when it is not a well-formed origin-form path. */
export function parseTarget(target: string | undefined): URL {
  if (target === undefined || !TARGET.test(target) || BAD_PERCENT.test(target)) throw badTarget(target ?? "");
  try {
    // Percent-escapes must also decode to UTF-8, so every later decode succeeds and no
    // query value quietly turns into U+FFFD.
    decodeURIComponent(target);
  } catch {
    throw badTarget(target);
  }
  return new URL(target, "http://127.0.0.1");
}

/** The host name of a `Host` header, lower-cased and without its port; undefined when malformed. */
export function hostName(header: string | undefined): string | undefined {
  const match = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(?::\d{1,5})?$/i.exec(header ?? "");
  return match ? match[1]!.toLowerCase() : undefined;
}

/** Refuses a request whose `Host` is neither a loopback name nor one the collector was told about. */
export function checkHost(req: IncomingMessage, allowHosts: ReadonlySet<string>): void {
  const name = hostName(req.headers.host);
  if (name !== undefined && (LOOPBACK_HOSTS.has(name) || allowHosts.has(name))) return;
  throw new HttpError(
    403,
    "host_not_allowed",
    "The Host header is not a loopback name (127.0.0.1, localhost, [::1]); pass --allow-host for another name.",
  );
}

/**
 * The CORS headers for this request: none for a same-origin or non-browser request, the
 * echoing ones for an allowed origin, and a 403 for any other origin (which also stops a
 * page from firing a "simple" cross-site POST such as /dev/reset without a preflight).
 */
export function corsHeaders(req: IncomingMessage, allowOrigins: ReadonlySet<string>): Record<string, string> {
  const origin = req.headers.origin;
  if (origin === undefined) return {};
  const normalized = origin.toLowerCase();
  // Host was checked first, so a same-origin request names this collector.
  if (normalized === `http://${String(req.headers.host).toLowerCase()}`) return {};
  if (!allowOrigins.has(normalized)) {
    throw new HttpError(
      403,
      "origin_not_allowed",
      `Origin ${JSON.stringify(origin.slice(0, 100))} may not call the collector; pass --allow-origin to allow it.`,
    );
  }
  return {
    "Access-Control-Allow-Origin": origin,
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type, Content-Encoding, Authorization",
    "Access-Control-Max-Age": "600",
    Vary: "Origin",
  };
}

/** `/v1/*` takes JSON only: `application/json` (any parameters), plain or with `Content-Encoding: gzip`. */
export function checkJsonContentType(req: IncomingMessage): void {
  const mediaType = String(req.headers["content-type"] ?? "")
    .split(";")[0]!
    .trim()
    .toLowerCase();
  if (mediaType === "application/json") return;
  throw new HttpError(
    415,
    "unsupported_media_type",
    `Content-Type ${JSON.stringify(mediaType || "(none)")} is not accepted; send application/json (gzip it with Content-Encoding: gzip).`,
  );
}
