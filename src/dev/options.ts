import { ThreadlineError } from "../errors.js";

/** Faults the collector injects on `/v1/*`, for testing a client's retry handling. */
export interface FaultOptions {
  /**
   * Share of `/v1/*` requests that fail, 0..1. When omitted but `status`, `retryAfter`
   * or `dropConnections` is given, every request fails.
   */
  failRate?: number;
  /** HTTP status of an injected failure. @default 503 */
  status?: number;
  /** Seconds sent in the `Retry-After` header of an injected failure. */
  retryAfter?: number;
  /** Delay before every `/v1/*` answer, failed or not (a slow network, not a failure). */
  latencyMs?: number;
  /** A failing request has its socket destroyed instead of getting an answer. */
  dropConnections?: boolean;
}

export interface CollectorOptions {
  /** `0` picks a free port. @default 4440 */
  port?: number;
  /** NDJSON file of accepted messages, relative to the working directory. @default ".threadline/events.ndjson" */
  dataFile?: string;
  /**
   * When set, `/v1/*` and `/dev/*` (reads and reset) require
   * `Authorization: Basic base64(writeKey + ":")`, else 401. The page itself loads without
   * it and asks for the key once per tab.
   */
  writeKey?: string;
  /**
   * Origins (`scheme://host[:port]`) a browser page may call `/v1/*` and `/dev/*` from,
   * e.g. `["http://localhost:3000"]` for an app whose browser SDK sends here. Any other
   * cross-origin request is refused with 403 and gets no CORS headers. @default []
   */
  allowOrigins?: string[];
  /**
   * Host names, besides the loopback ones (`127.0.0.1`, `localhost`, `[::1]`), that a
   * request's `Host` header may name (any port), e.g. a container name behind a port
   * forward. Any other `Host` is refused with 403, which keeps DNS rebinding out. @default []
   */
  allowHosts?: string[];
  /** How many rejected messages `/dev/rejected` keeps (the newest); older ones are only counted. @default 1000 */
  maxRejected?: number;
  /** A client must send its request headers within this time, else 408. @default 10000 */
  headersTimeoutMs?: number;
  /** A client must send its whole request (headers and body) within this time, else 408. @default 30000 */
  requestTimeoutMs?: number;
  /** A request body that stalls (no bytes) for this long is answered 408 and its connection closed. @default 5000 */
  bodyTimeoutMs?: number;
  /** No terminal line per accepted event. @default false */
  quiet?: boolean;
  faults?: FaultOptions;
  /** Where the per-event lines go. @default a line on stdout */
  log?: (line: string) => void;
}

export interface Collector {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  /** Stops listening, ends open connections; resolves once the server is closed. */
  close(): Promise<void>;
}

export const COLLECTOR_DEFAULTS = {
  port: 4440,
  dataFile: ".threadline/events.ndjson",
  faultStatus: 503,
  /** Segment's documented per-request limit. */
  maxBodyBytes: 500 * 1024,
  /** Segment's per-message limit, the same as the client's `maxMessageBytes`. */
  maxMessageBytes: 32 * 1024,
  /**
   * Deepest nesting of arrays and objects a request body may have. The client refuses
   * messages nested past 64 levels; this leaves room for the body and batch around them
   * while keeping every walk over a stored message far from the stack limit.
   */
  maxBodyDepth: 100,
  allowOrigins: [] as readonly string[],
  allowHosts: [] as readonly string[],
  maxRejected: 1000,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  bodyTimeoutMs: 5_000,
} as const;

/** The fault settings with every choice made, so the request path never re-derives them. */
export interface ResolvedFaults {
  failRate: number;
  status: number;
  retryAfter?: number;
  latencyMs: number;
  dropConnections: boolean;
}

export interface ResolvedCollectorOptions {
  port: number;
  dataFile: string;
  writeKey?: string;
  quiet: boolean;
  /** Lower-cased exact origins. */
  allowOrigins: ReadonlySet<string>;
  /** Lower-cased host names, without port. */
  allowHosts: ReadonlySet<string>;
  maxRejected: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  bodyTimeoutMs: number;
  faults: ResolvedFaults;
  log: (line: string) => void;
}

function configError(message: string): ThreadlineError {
  return new ThreadlineError("config", `threadline dev: ${message}`);
}

function checkNumber(name: string, value: unknown, min: number, max: number, integer = false): void {
  if (value === undefined) return;
  if (
    typeof value !== "number" ||
    !Number.isFinite(value) ||
    value < min ||
    value > max ||
    (integer && !Number.isInteger(value))
  ) {
    throw configError(
      `${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got ${String(value)}`,
    );
  }
}

/** `http://localhost:3000` style: a scheme, a host, maybe a port, nothing else (an Origin header's form). */
function normalizeOrigin(value: unknown): string {
  if (typeof value === "string") {
    try {
      const url = new URL(value);
      const bare =
        url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password && !value.endsWith("#");
      if ((url.protocol === "http:" || url.protocol === "https:") && bare) return url.origin;
    } catch {
      /* reported below */
    }
  }
  throw configError(
    `allowOrigins entries must be origins such as "http://localhost:3000", got ${JSON.stringify(value)}`,
  );
}

function normalizeHost(value: unknown): string {
  if (typeof value === "string" && /^[a-z0-9.-]+$/i.test(value) && value !== "") return value.toLowerCase();
  throw configError(`allowHosts entries must be host names without scheme or port, got ${JSON.stringify(value)}`);
}

function list(name: string, value: unknown): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw configError(`${name} must be an array of strings`);
  return value;
}

export function resolveCollectorOptions(options: CollectorOptions = {}): ResolvedCollectorOptions {
  const faults = options.faults ?? {};
  checkNumber("port", options.port, 0, 65535, true);
  checkNumber("maxRejected", options.maxRejected, 0, 1_000_000, true);
  checkNumber("headersTimeoutMs", options.headersTimeoutMs, 1, 600_000, true);
  checkNumber("requestTimeoutMs", options.requestTimeoutMs, 1, 3_600_000, true);
  checkNumber("bodyTimeoutMs", options.bodyTimeoutMs, 1, 600_000, true);
  const headersTimeoutMs = options.headersTimeoutMs ?? COLLECTOR_DEFAULTS.headersTimeoutMs;
  const requestTimeoutMs = options.requestTimeoutMs ?? Math.max(COLLECTOR_DEFAULTS.requestTimeoutMs, headersTimeoutMs);
  // node:http refuses a header deadline past the whole-request one; say so in our words.
  if (headersTimeoutMs > requestTimeoutMs)
    throw configError(`headersTimeoutMs (${headersTimeoutMs}) must not exceed requestTimeoutMs (${requestTimeoutMs})`);
  checkNumber("faults.failRate", faults.failRate, 0, 1);
  checkNumber("faults.status", faults.status, 100, 599, true);
  checkNumber("faults.retryAfter", faults.retryAfter, 0, 86_400);
  checkNumber("faults.latencyMs", faults.latencyMs, 0, 600_000);
  if (options.dataFile !== undefined && (typeof options.dataFile !== "string" || options.dataFile === "")) {
    throw configError("dataFile must be a non-empty path");
  }
  if (options.writeKey !== undefined && typeof options.writeKey !== "string") {
    throw configError("writeKey must be a string");
  }
  // A failure flag on its own means "always": `--status 500` alone should fail every request.
  const failureAsked =
    faults.status !== undefined || faults.retryAfter !== undefined || faults.dropConnections === true;
  const failRate = faults.failRate ?? (failureAsked ? 1 : 0);
  return {
    port: options.port ?? COLLECTOR_DEFAULTS.port,
    dataFile: options.dataFile ?? COLLECTOR_DEFAULTS.dataFile,
    // An empty key would demand auth nobody can send; treat it as "no key".
    ...(options.writeKey ? { writeKey: options.writeKey } : {}),
    quiet: options.quiet ?? false,
    allowOrigins: new Set(
      list("allowOrigins", options.allowOrigins ?? COLLECTOR_DEFAULTS.allowOrigins).map(normalizeOrigin),
    ),
    allowHosts: new Set(list("allowHosts", options.allowHosts ?? COLLECTOR_DEFAULTS.allowHosts).map(normalizeHost)),
    maxRejected: options.maxRejected ?? COLLECTOR_DEFAULTS.maxRejected,
    headersTimeoutMs,
    requestTimeoutMs,
    bodyTimeoutMs: options.bodyTimeoutMs ?? COLLECTOR_DEFAULTS.bodyTimeoutMs,
    faults: {
      failRate,
      status: faults.status ?? COLLECTOR_DEFAULTS.faultStatus,
      ...(faults.retryAfter !== undefined ? { retryAfter: faults.retryAfter } : {}),
      latencyMs: faults.latencyMs ?? 0,
      dropConnections: faults.dropConnections ?? false,
    },
    log: options.log ?? ((line) => process.stdout.write(line + "\n")),
  };
}
