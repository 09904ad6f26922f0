import http from "node:http";
import https from "node:https";
import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import type { FetchLike, ResolvedOptions } from "./options.js";
import { RedactingTransport } from "./redact.js";
import { VERSION } from "./version.js";

const gzip = promisify(gzipCallback);

/** A collector's answer, whatever its status. */
export interface HttpAnswer {
  status: number;
  retryAfter: string | null;
  body: string;
}

/** A failure below HTTP: connection refused or reset, DNS, timeout, abandoned. */
export class NetworkError extends Error {
  override name = "NetworkError";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A request that failed on a reused keep-alive socket before any answer came. */
class StaleSocketError extends NetworkError {
  override name = "StaleSocketError";
}

/** What the batcher needs from the wire: POST one body, and let go of sockets at the end. */
export interface Transport {
  /** Resolves with the answer (any status); rejects with a {@link NetworkError}. */
  post(body: string, abandon: AbortSignal): Promise<HttpAnswer>;
  destroy(): void;
}

type TransportOptions = Pick<ResolvedOptions, "url" | "writeKey" | "timeoutMs" | "gzip" | "concurrency" | "fetch">;

/** The user's `fetch` when given, else node:http(s) on a keep-alive agent; with a key, behind {@link RedactingTransport}. */
export function createTransport(options: TransportOptions): Transport {
  const transport =
    options.fetch === undefined ? new NodeHttpTransport(options) : new FetchTransport(options, options.fetch);
  return options.writeKey === undefined ? transport : new RedactingTransport(transport, options.writeKey);
}

/** A collector's error text is for the log line; more than this is not read. */
const MAX_ANSWER_CHARS = 16 * 1024;

function baseHeaders(options: TransportOptions): Record<string, string> {
  const headers: Record<string, string> = {
    "Content-Type": "application/json",
    "User-Agent": `threadline/${VERSION}`,
    Accept: "application/json",
  };
  if (options.writeKey !== undefined)
    headers.Authorization = "Basic " + Buffer.from(options.writeKey + ":").toString("base64");
  if (options.gzip) headers["Content-Encoding"] = "gzip";
  return headers;
}

function unreachable(url: string, cause: unknown): NetworkError {
  // undici's fetch wraps the socket error ("fetch failed", cause: { code, message }).
  const outer = cause as { code?: string; message?: string; cause?: { code?: string; message?: string } } | undefined;
  const inner = outer?.code === undefined && outer?.cause !== undefined ? outer.cause : outer;
  const code = inner?.code;
  const message = inner?.message ?? String(cause);
  const reason = code === undefined || message.includes(code) ? message : `${code}: ${message}`;
  return new NetworkError(`Cannot reach ${url}: ${reason}`, { cause });
}

const timedOut = (options: TransportOptions) =>
  new NetworkError(`No answer from ${options.url} within ${options.timeoutMs} ms`);
const abandoned = () => new NetworkError("Request abandoned at the shutdown deadline");

/**
 * The floor's own method: node:http(s), one `req.end(body)` per batch, sockets kept
 * alive and reused across batches (a burst costs one TCP/TLS handshake per socket,
 * not per request), no stream or Request/Headers objects per body.
 */
class NodeHttpTransport implements Transport {
  private readonly agent: http.Agent;
  private readonly request: typeof http.request;
  private readonly target: http.RequestOptions;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: TransportOptions) {
    const url = new URL(options.url);
    const secure = url.protocol === "https:";
    const agentOptions: http.AgentOptions = { keepAlive: true, maxSockets: options.concurrency, keepAliveMsecs: 1000 };
    this.agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    this.request = secure ? https.request : http.request;
    // Parsed once: every request goes to the same place. `[::1]` must lose its brackets.
    this.target = {
      hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
      port: url.port || (secure ? 443 : 80),
      path: url.pathname + url.search,
      method: "POST",
      agent: this.agent,
    };
    this.headers = baseHeaders(options);
  }

  async post(body: string, abandon: AbortSignal): Promise<HttpAnswer> {
    const payload = this.options.gzip ? await gzip(body) : body;
    try {
      return await this.send(payload, abandon);
    } catch (error) {
      // A kept-alive socket the collector (or a frozen serverless process) let go stale
      // fails before any answer; the body is safe to send again at once on a fresh socket
      // (messageIds dedupe), instead of waiting out a backoff for a failure that was ours.
      if (!(error instanceof StaleSocketError) || abandon.aborted) throw error;
      return this.send(payload, abandon, true);
    }
  }

  private send(payload: string | Buffer, abandon: AbortSignal, resend = false): Promise<HttpAnswer> {
    return new Promise<HttpAnswer>((resolve, reject) => {
      if (abandon.aborted) return reject(abandoned());
      let failure: NetworkError | undefined;
      let answered = false;
      const req = this.request({
        ...this.target,
        headers: { ...this.headers, "Content-Length": String(Buffer.byteLength(payload)) },
      });
      // Ends the request with our own reason; the 'error' event then carries it.
      const stop = (reason: NetworkError) => {
        failure ??= reason;
        req.destroy(reason);
      };
      const timer = setTimeout(() => stop(timedOut(this.options)), this.options.timeoutMs);
      // The open socket keeps the process alive while waiting; the timer need not.
      timer.unref();
      const onAbandon = () => stop(abandoned());
      abandon.addEventListener("abort", onAbandon, { once: true });
      const finish = () => {
        clearTimeout(timer);
        abandon.removeEventListener("abort", onAbandon);
      };
      req.on("error", (cause) => {
        finish();
        if (failure !== undefined) return reject(failure);
        const error = unreachable(this.options.url, cause);
        reject(req.reusedSocket && !answered && !resend ? new StaleSocketError(error.message, { cause }) : error);
      });
      req.on("response", (res) => {
        answered = true;
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          if (text.length < MAX_ANSWER_CHARS) text += chunk;
        });
        // Reading the answer to its end is what returns the socket to the pool.
        res.on("end", () => {
          finish();
          const retryAfter = res.headers["retry-after"];
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: retryAfter ?? null,
            body: text.slice(0, MAX_ANSWER_CHARS),
          });
        });
        res.on("error", (cause) => {
          finish();
          reject(failure ?? unreachable(this.options.url, cause));
        });
      });
      req.end(payload);
    });
  }

  destroy(): void {
    this.agent.destroy();
  }
}

/** Any WHATWG-style fetch (node-fetch, undici, the global one): for proxies, custom agents, instrumentation. */
class FetchTransport implements Transport {
  private readonly headers: Record<string, string>;

  constructor(
    private readonly options: TransportOptions,
    private readonly fetch: FetchLike,
  ) {
    this.headers = baseHeaders(options);
  }

  async post(body: string, abandon: AbortSignal): Promise<HttpAnswer> {
    if (abandon.aborted) throw abandoned();
    // A Buffer, not the string: node-fetch sends a Buffer body with ~25% less CPU.
    const payload = this.options.gzip ? await gzip(body) : Buffer.from(body);
    const controller = new AbortController();
    let failure: NetworkError | undefined;
    const stop = (reason: NetworkError) => {
      failure ??= reason;
      controller.abort(reason);
    };
    const timer = setTimeout(() => stop(timedOut(this.options)), this.options.timeoutMs);
    timer.unref();
    const onAbandon = () => stop(abandoned());
    abandon.addEventListener("abort", onAbandon, { once: true });
    try {
      const response = await this.fetch(this.options.url, {
        method: "POST",
        headers: this.headers,
        body: payload,
        signal: controller.signal,
      });
      // Reading the body to the end returns the socket to the keep-alive pool.
      const text = await response.text();
      return {
        status: response.status,
        retryAfter: response.headers.get("retry-after"),
        body: text.slice(0, MAX_ANSWER_CHARS),
      };
    } catch (cause) {
      throw failure ?? unreachable(this.options.url, cause);
    } finally {
      clearTimeout(timer);
      abandon.removeEventListener("abort", onAbandon);
    }
  }

  destroy(): void {
    // The user's fetch owns its connections.
  }
}
