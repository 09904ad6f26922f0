import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  setCookies: string[];
  body: string;
  json<T = Record<string, unknown>>(): T;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** Host name to send in the TLS SNI / Host header when the URL names an IP. */
  timeoutMs?: number;
}

/** One real HTTP(S) request, no keep-alive, bounded in time; self-signed certificates accepted. */
export function send(url: string, options: RequestOptions = {}): Promise<Reply> {
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      target,
      {
        method: options.method ?? "GET",
        headers: { connection: "close", ...options.headers },
        agent: false,
        rejectUnauthorized: false,
        timeout: options.timeoutMs ?? 5000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            setCookies: res.headers["set-cookie"] ?? [],
            body,
            json: <T>() => JSON.parse(body) as T,
          });
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`request to ${url} timed out`)));
    req.on("error", reject);
    req.end(options.body);
  });
}

/** The `Set-Cookie` line for `name`, if the response has one. */
export function cookieLine(reply: Reply, name: string): string | undefined {
  return reply.setCookies.find((line) => line.startsWith(`${name}=`));
}

/** The value a `Set-Cookie` line sets. */
export function cookieValue(line: string | undefined): string | undefined {
  if (line === undefined) return undefined;
  return line.slice(line.indexOf("=") + 1).split(";", 1)[0];
}

/** The attributes of a `Set-Cookie` line, names lower-cased (`{ path: "/", samesite: "Lax", secure: true }`). */
export function cookieAttributes(line: string): Record<string, string | true> {
  const attributes: Record<string, string | true> = {};
  for (const part of line.split(";").slice(1)) {
    const [name = "", ...rest] = part.trim().split("=");
    attributes[name.toLowerCase()] = rest.length === 0 ? true : rest.join("=");
  }
  return attributes;
}
