import { LIMITS } from "./contract.js";
import { resolveBeforeSend, type BeforeSend } from "./before-send.js";
import { ThreadlineError } from "./errors.js";

/** Options of `new Analytics()` / `init()`. Every field is optional. */
export interface Options {
  /**
   * The collector's base URL; requests go to `{host}{path}`.
   * @default THREADLINE_HOST, else the local dev collector `http://127.0.0.1:4440` outside production
   */
  host?: string;
  /**
   * Sent as `Authorization: Basic base64(writeKey + ":")`. May be omitted only for a loopback host.
   * @default THREADLINE_WRITE_KEY
   */
  writeKey?: string;
  /** @default "/v1/batch" */
  path?: string;
  /** Queued messages that trigger a send at once (`1` sends every call at once). @default 20 */
  flushAt?: number;
  /** Messages per request at most. @default 100 */
  maxBatchSize?: number;
  /** How long a partial batch may wait, in milliseconds. @default 10000 */
  flushInterval?: number;
  /** A request body never exceeds this many bytes. @default 491520 (480 KiB) */
  maxBatchBytes?: number;
  /** A serialized message larger than this is rejected with `message_too_large`. @default 32768 (32 KiB) */
  maxMessageBytes?: number;
  /** Messages held (queued and in flight) at most; past it the oldest queued are dropped. @default 10000 */
  maxQueueSize?: number;
  /** Retries per batch after the first attempt. @default 10 */
  maxRetries?: number;
  /** First retry delay in milliseconds; doubles per retry, with jitter. @default 500 */
  minRetryDelay?: number;
  /** Cap of one retry delay in milliseconds. @default 30000 */
  maxRetryDelay?: number;
  /** Per-request timeout in milliseconds. @default 10000 */
  timeoutMs?: number;
  /** Requests in flight at once. @default 4 */
  concurrency?: number;
  /** Send bodies with `Content-Encoding: gzip`. @default false */
  gzip?: boolean;
  /** Validate and accept calls but send nothing (for tests). @default false */
  disable?: boolean;
  /**
   * Steps run in order on each built message before it is queued: return the message
   * (changed or not), or `null` to drop it (`drop`, reason `before_send`); a throw rejects
   * that message with code `before_send`. `pseudonymize()` makes one.
   * @default undefined (none)
   */
  beforeSend?: BeforeSend | readonly BeforeSend[];
}

export interface ResolvedOptions {
  host: string;
  writeKey: string | undefined;
  path: string;
  url: string;
  flushAt: number;
  maxBatchSize: number;
  flushInterval: number;
  maxBatchBytes: number;
  maxMessageBytes: number;
  maxQueueSize: number;
  maxRetries: number;
  minRetryDelay: number;
  maxRetryDelay: number;
  timeoutMs: number;
  concurrency: number;
  gzip: boolean;
  disable: boolean;
  /** True when no host was configured and the local dev collector is used. */
  usingDevCollector: boolean;
  beforeSend: readonly BeforeSend[] | undefined;
}

export const DEV_COLLECTOR_URL = "http://127.0.0.1:4440";

/** The one place defaults live. */
export const DEFAULTS = {
  path: "/v1/batch",
  flushAt: 20,
  maxBatchSize: 100,
  flushInterval: 10_000,
  maxBatchBytes: LIMITS.maxBatchBytes,
  maxMessageBytes: LIMITS.maxMessageBytes,
  maxQueueSize: 10_000,
  maxRetries: 10,
  minRetryDelay: 500,
  maxRetryDelay: 30_000,
  timeoutMs: 10_000,
  concurrency: 4,
  gzip: false,
  disable: false,
} as const satisfies Partial<Record<keyof Options, unknown>>;

type NumericOption = {
  [K in keyof Options]-?: NonNullable<Options[K]> extends number ? K : never;
}[keyof Options];

/** Smallest value each numeric option accepts. */
const MINIMUMS: Record<NumericOption, number> = {
  flushAt: 1,
  maxBatchSize: 1,
  flushInterval: 1,
  maxBatchBytes: 1024,
  maxMessageBytes: 64,
  maxQueueSize: 1,
  maxRetries: 0,
  minRetryDelay: 0,
  maxRetryDelay: 0,
  timeoutMs: 1,
  concurrency: 1,
};

const KNOWN = new Set<string>(["host", "writeKey", "beforeSend", ...Object.keys(DEFAULTS)]);

function configError(message: string): ThreadlineError {
  return new ThreadlineError("config", message);
}

function numberOption(options: Options, name: NumericOption): number {
  const value = options[name];
  if (value === undefined) return DEFAULTS[name];
  if (typeof value !== "number" || !Number.isFinite(value) || value < MINIMUMS[name]) {
    throw configError(`Option \`${name}\` must be a finite number >= ${MINIMUMS[name]}, got ${describe(value)}`);
  }
  return name === "flushAt" || name === "maxBatchSize" || name === "maxQueueSize" || name === "maxRetries" || name === "concurrency"
    ? Math.floor(value)
    : value;
}

function booleanOption(options: Options, name: "gzip" | "disable"): boolean {
  const value = options[name];
  if (value === undefined) return DEFAULTS[name];
  if (typeof value !== "boolean") throw configError(`Option \`${name}\` must be a boolean, got ${describe(value)}`);
  return value;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === null) return "null";
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127\.\d+\.\d+\.\d+$/.test(hostname) || hostname.endsWith(".localhost");
}

/**
 * Validates options and fills defaults. Throws `ThreadlineError` with code `config`:
 * construction is the one place a throw is right.
 */
export function resolveOptions(options: Options = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  if (options === null || typeof options !== "object") throw configError(`Options must be an object, got ${describe(options)}`);
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw configError(`Unknown option \`${key}\`; expected one of: ${[...KNOWN].join(", ")}`);
  }
  const disable = booleanOption(options, "disable");
  let host = options.host ?? (env.THREADLINE_HOST || undefined);
  let usingDevCollector = false;
  if (host !== undefined && typeof host !== "string") throw configError(`Option \`host\` must be a URL string, got ${describe(host)}`);
  if (host === undefined || host === "") {
    if (env.NODE_ENV === "production" && !disable) {
      throw configError("No collector host: set the `host` option or THREADLINE_HOST (required when NODE_ENV=production)");
    }
    host = DEV_COLLECTOR_URL;
    usingDevCollector = true;
  }
  let parsed: URL;
  try {
    parsed = new URL(host);
  } catch (cause) {
    throw new ThreadlineError("config", `Option \`host\` must be an http(s) URL such as "https://collector.example", got ${describe(host)}`, { cause });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw configError(`Option \`host\` must use http: or https:, got ${JSON.stringify(parsed.protocol)}`);
  }
  const writeKey = options.writeKey ?? (env.THREADLINE_WRITE_KEY || undefined);
  if (writeKey !== undefined && (typeof writeKey !== "string" || writeKey === "")) {
    throw configError(`Option \`writeKey\` must be a non-empty string, got ${describe(writeKey)}`);
  }
  if (writeKey === undefined && !disable && !isLoopbackHost(parsed.hostname)) {
    throw configError(`Option \`writeKey\` is required for ${parsed.origin} (only a loopback collector may go without one)`);
  }
  const path = options.path ?? DEFAULTS.path;
  if (typeof path !== "string" || !path.startsWith("/")) throw configError(`Option \`path\` must start with "/", got ${describe(path)}`);

  const resolved: ResolvedOptions = {
    host: host.replace(/\/+$/, ""),
    writeKey,
    path,
    url: host.replace(/\/+$/, "") + path,
    flushAt: numberOption(options, "flushAt"),
    maxBatchSize: numberOption(options, "maxBatchSize"),
    flushInterval: numberOption(options, "flushInterval"),
    maxBatchBytes: numberOption(options, "maxBatchBytes"),
    maxMessageBytes: numberOption(options, "maxMessageBytes"),
    maxQueueSize: numberOption(options, "maxQueueSize"),
    maxRetries: numberOption(options, "maxRetries"),
    minRetryDelay: numberOption(options, "minRetryDelay"),
    maxRetryDelay: numberOption(options, "maxRetryDelay"),
    timeoutMs: numberOption(options, "timeoutMs"),
    concurrency: numberOption(options, "concurrency"),
    gzip: booleanOption(options, "gzip"),
    disable,
    usingDevCollector,
    beforeSend: resolveBeforeSend(options.beforeSend),
  };
  if (resolved.maxMessageBytes > resolved.maxBatchBytes - 64) {
    throw configError(`Option \`maxMessageBytes\` (${resolved.maxMessageBytes}) must leave room in \`maxBatchBytes\` (${resolved.maxBatchBytes})`);
  }
  return resolved;
}
