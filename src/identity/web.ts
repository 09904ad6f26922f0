import type { IncomingHttpHeaders } from "node:http";
import type { IdentityCore } from "./identity-core.js";
import type { RequestClient } from "./request-client.js";
import type { ServerResponse } from "./set-cookie.js";
import type { AnonymousIdCarrier, RequestAdapter } from "./types.js";

/**
 * A Web-standard `Request` as the identity core reads it (Hono, `threadline/fetch`). The
 * URL is parsed only when a cold path asks (a first visit's cookie, the context), so a
 * returning visitor costs one `Cookie` header read.
 */
export class WebRequest {
  private parsed: URL | undefined;

  constructor(
    readonly request: Request,
    /** The client's address when the runtime reports one (the Web `Request` carries none). */
    readonly ip: string | undefined,
    /** The framework's own request object (Hono's `c`), for `consent`; else the `Request`. */
    readonly own: unknown = request,
  ) {}

  get url(): URL {
    return (this.parsed ??= new URL(this.request.url));
  }
}

const header = (headers: Headers, name: string): string | undefined => headers.get(name) ?? undefined;

// No framework to ask about proxies: the scheme and host are those of `request.url`,
// which the runtime (or the app's proxy settings) already decided.
export const webAdapter: RequestAdapter<WebRequest> = {
  headers: (req) => {
    const headers = req.request.headers;
    return {
      cookie: header(headers, "cookie"),
      referer: header(headers, "referer"),
      "user-agent": header(headers, "user-agent"),
      "accept-language": header(headers, "accept-language"),
      "sec-gpc": header(headers, "sec-gpc"),
    } as IncomingHttpHeaders;
  },
  consentTarget: (req) => req.own,
  secure: (req) => req.url.protocol === "https:",
  hostname: (req) => req.url.hostname || undefined,
  host: (req) => req.url.host || undefined,
  protocol: (req) => req.url.protocol.slice(0, -1),
  originalUrl: (req) => req.url.pathname + req.url.search,
  ip: (req) => req.ip,
};

/**
 * The `Set-Cookie` lines of a request whose `Response` does not exist yet: the core
 * writes here as it would to a `node:http` response, and {@link applyTo} copies them onto
 * the handler's `Response` afterwards.
 */
export class PendingCookies implements ServerResponse {
  headersSent = false;
  private lines: string[] | undefined;

  getHeader(name: string): string[] | undefined {
    return name.toLowerCase() === "set-cookie" ? this.lines : undefined;
  }

  setHeader(name: string, value: number | string | readonly string[]): this {
    if (name.toLowerCase() === "set-cookie") this.lines = ([] as string[]).concat(value as string | string[]);
    return this;
  }

  removeHeader(name: string): void {
    if (name.toLowerCase() === "set-cookie") this.lines = undefined;
  }

  /**
   * The response with our lines appended after any it already sets; a copy when its
   * headers are immutable (a `Response.redirect()`, a `fetch()` result).
   */
  applyTo(response: Response): Response {
    this.headersSent = true;
    const lines = this.lines;
    if (lines === undefined || lines.length === 0) return response;
    let target = response;
    try {
      for (const line of lines) target.headers.append("set-cookie", line);
    } catch {
      target = new Response(response.body, response);
      for (const line of lines) target.headers.append("set-cookie", line);
    }
    return target;
  }
}

/** What a Web-standard adapter holds for one request. */
export interface WebEntry {
  client: RequestClient<WebRequest>;
  cookies: PendingCookies;
}

/** Begin a Web-standard request: its id (by the shared fast path), client and pending cookies. */
export function enterWeb(
  core: IdentityCore<WebRequest>,
  request: Request,
  ip: string | undefined,
  carrier: AnonymousIdCarrier = { anonymousId: "" },
  own: unknown = request,
): WebEntry {
  const cookies = new PendingCookies();
  const client = core.enter(
    new WebRequest(request, ip, own),
    cookies,
    carrier,
    request.headers.get("cookie") ?? undefined,
  );
  return { client, cookies };
}
