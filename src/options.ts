import { LIMITS } from "./contract.js";
import { resolveBeforeSend, type BeforeSend } from "./before-send.js";
import { ThreadlineError } from "./errors.js";

/** Options of `new Analytics()` / `init()`. Every field is optional. */
export interface Options {
  /**
   * The collector's base URL; requests go to `{host}{path}`.
   * @default THREADLINE_HOST, else the local dev collector `http://127.0.0.1:4440` outside production
   */
  host?: string | undefined;
  /**
   * Sent as `Authorization: Basic base64(writeKey + ":")`. May be omitted only for a loopback host.
   * @default THREADLINE_WRITE_KEY
   */
  writeKey?: string | undefined;
  /** @default "/v1/batch" */
  path?: string | undefined;
  /** Queued messages that trigger a send at once (`1` sends every call at once). @default 20 */
  flushAt?: number | undefined;
  /** Messages per request at most. @default 100 */
  maxBatchSize?: number | undefined;
  /** How long a partial batch may wait, in milliseconds. @default 10000 */
  flushInterval?: number | undefined;
  /** A request body never exceeds this many bytes. @default 491520 (480 KiB) */
  maxBatchBytes?: number | undefined;
  /** A serialized message larger than this is rejected with `message_too_large`. @default 32768 (32 KiB) */
  maxMessageBytes?: number | undefined;
  /** Messages held (queued and in flight) at most; past it the oldest queued are dropped. @default 10000 */
  maxQueueSize?: number | undefined;
  /** Retries per batch after the first attempt. @default 10 */
  maxRetries?: number | undefined;
  /** First retry delay in milliseconds; doubles per retry, with jitter. @default 500 */
  minRetryDelay?: number | undefined;
  /** Cap of one retry delay in milliseconds. @default 30000 */
  maxRetryDelay?: number | undefined;
  /** Per-request timeout in milliseconds. @default 10000 */
  timeoutMs?: number | undefined;
  /** Requests in flight at once. @default 4 */
  concurrency?: number | undefined;
  /** Send bodies with `Content-Encoding: gzip`. @default false */
  gzip?: boolean | undefined;
  /** Validate and accept calls but send nothing (for tests). @default false */
  disable?: boolean | undefined;
  /**
   * Send with this WHATWG-style `fetch` (node-fetch, undici, the global one) instead of
   * the built-in node:http(s) keep-alive transport: for proxies, custom agents or
   * instrumentation. Timeouts, retries, gzip and auth stay threadline's.
   * @default undefined (node:http / node:https on a keep-alive agent)
   */
  fetch?: FetchLike | undefined;
  /**
   * `@segment/analytics-node`'s name: sets both `flushAt` and `maxBatchSize` (each
   * still wins when given too).
   * @default undefined (see flushAt, maxBatchSize)
   */
  maxEventsInBatch?: number | undefined;
  /** `@segment/analytics-node`'s name for `timeoutMs` (which wins when given too). @default undefined (see timeoutMs) */
  httpRequestTimeout?: number | undefined;
  /**
   * A durable spool: accepted messages are written to files under this directory before
   * the end of the turn that accepted them, so a crash, a SIGKILL or a long outage loses
   * none; a client started later on the same directory sends what a gone process left.
   * A string is the directory. Off unless given.
   * @default undefined (off; `maxBytes` defaults to 268435456, 256 MiB)
   */
  spool?: SpoolOptions | string | undefined;
  /**
   * Steps run in order on each built message before it is queued: return the message
   * (changed or not), or `null` to drop it (`drop`, reason `before_send`); a throw rejects
   * that message with code `before_send`. `pseudonymize()` makes one.
   * @default undefined (none)
   */
  beforeSend?: BeforeSend | readonly BeforeSend[] | undefined;
}

export interface SpoolOptions {
  /** Directory of the spool files (created if missing); several processes may share it. */
  dir: string;
  /** Disk the spool may hold; past it the oldest spooled messages are dropped (`spool_full`). @default 268435456 (256 MiB) */
  maxBytes?: number | undefined;
}

/** The part of a fetch Response threadline reads. */
export interface FetchResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/**
 * A WHATWG-style fetch as threadline calls it: `POST`, a header record, a Buffer body
 * and an abort signal. Both the global `fetch` and node-fetch's default export fit.
 */
export type FetchLike = (
  url: string,
  init: { method: "POST"; headers: Record<string, string>; body: Buffer; signal: AbortSignal },
) => Promise<FetchResponseLike>;

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
  fetch: FetchLike | undefined;
  spool: { dir: string; maxBytes: number } | undefined;
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
  /** Off; when given a directory, it holds at most `maxBytes`. */
  spool: { maxBytes: 256 * 1024 * 1024 },
} as const satisfies Partial<Record<keyof Options, unknown>>;

type NumericOption = Exclude<
  {
    [K in keyof Options]-?: NonNullable<Options[K]> extends number ? K : never;
  }[keyof Options],
  keyof typeof ALIASES
>;

/** Segment's option names, accepted as they are (see resolveAliases). */
const ALIASES = { maxEventsInBatch: ["flushAt", "maxBatchSize"], httpRequestTimeout: ["timeoutMs"] } as const;

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

const KNOWN = new Set<string>([
  "host",
  "writeKey",
  "fetch",
  "beforeSend",
  ...Object.keys(DEFAULTS),
  ...Object.keys(ALIASES),
]);

/** Segment's names fill in the options they stand for, unless those are given too. */
function resolveAliases(options: Options): Options {
  let resolved = options;
  for (const [alias, targets] of Object.entries(ALIASES) as Array<[keyof typeof ALIASES, readonly NumericOption[]]>) {
    const value = options[alias];
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw configError(
        `Option \`${alias}\` (Segment's name for ${targets.map((t) => `\`${t}\``).join(" and ")}) must be a finite number, got ${describe(value)}`,
      );
    }
    resolved = { ...resolved };
    for (const target of targets) if (resolved[target] === undefined) resolved[target] = value;
  }
  return resolved;
}

function configError(message: string): ThreadlineError {
  return new ThreadlineError("config", message);
}

function numberOption(options: Options, name: NumericOption): number {
  const value = options[name];
  if (value === undefined) return DEFAULTS[name];
  if (typeof value !== "number" || !Number.isFinite(value) || value < MINIMUMS[name]) {
    throw configError(`Option \`${name}\` must be a finite number >= ${MINIMUMS[name]}, got ${describe(value)}`);
  }
  return name === "flushAt" ||
    name === "maxBatchSize" ||
    name === "maxQueueSize" ||
    name === "maxRetries" ||
    name === "concurrency"
    ? Math.floor(value)
    : value;
}

function booleanOption(options: Options, name: "gzip" | "disable"): boolean {
  const value = options[name];
  if (value === undefined) return DEFAULTS[name];
  if (typeof value !== "boolean") throw configError(`Option \`${name}\` must be a boolean, got ${describe(value)}`);
  return value;
}

/** The smallest `spool.maxBytes`: room for a few messages of the largest size. */
const MIN_SPOOL_BYTES = 64 * 1024;

function spoolOption(value: Options["spool"]): ResolvedOptions["spool"] {
  if (value === undefined) return undefined;
  const given = typeof value === "string" ? { dir: value } : value;
  if (given === null || typeof given !== "object" || typeof given.dir !== "string" || given.dir === "") {
    throw configError(`Option \`spool\` must be a directory path or { dir, maxBytes? }, got ${describe(value)}`);
  }
  const maxBytes = given.maxBytes ?? DEFAULTS.spool.maxBytes;
  if (typeof maxBytes !== "number" || !Number.isFinite(maxBytes) || maxBytes < MIN_SPOOL_BYTES) {
    throw configError(
      `Option \`spool.maxBytes\` must be a finite number >= ${MIN_SPOOL_BYTES}, got ${describe(maxBytes)}`,
    );
  }
  return { dir: given.dir, maxBytes: Math.floor(maxBytes) };
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
export function resolveOptions(given: Options = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  if (given === null || typeof given !== "object")
    throw configError(`Options must be an object, got ${describe(given)}`);
  for (const key of Object.keys(given)) {
    if (!KNOWN.has(key)) throw configError(`Unknown option \`${key}\`; expected one of: ${[...KNOWN].join(", ")}`);
  }
  const options = resolveAliases(given);
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw configError(
      `Option \`fetch\` must be a fetch function such as globalThis.fetch or node-fetch's default export, got ${describe(options.fetch)}`,
    );
  }
  const disable = booleanOption(options, "disable");
  let host = options.host ?? (env.THREADLINE_HOST || undefined);
  let usingDevCollector = false;
  if (host !== undefined && typeof host !== "string")
    throw configError(`Option \`host\` must be a URL string, got ${describe(host)}`);
  if (host === undefined || host === "") {
    if (env.NODE_ENV === "production" && !disable) {
      throw configError(
        'No collector host: set the `host` option or THREADLINE_HOST (required when NODE_ENV=production); for Segment itself, `host: "https://api.segment.io"` with your `writeKey`',
      );
    }
    host = DEV_COLLECTOR_URL;
    usingDevCollector = true;
  }
  // A host with an `@` may carry a password: no error below echoes it, nor keeps the URL
  // parser's error as `cause` (it holds the input).
  const shown = host.includes("@") ? "a URL with credentials (not shown)" : describe(host);
  let parsed: URL;
  try {
    parsed = new URL(host);
  } catch {
    throw configError(`Option \`host\` must be an http(s) URL such as "https://collector.example", got ${shown}`);
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw configError(
      `Option \`host\` must use http: or https:, got ${host.includes("@") ? shown : JSON.stringify(parsed.protocol)}`,
    );
  }
  if (parsed.username !== "" || parsed.password !== "") {
    throw configError(
      `Option \`host\` must not carry credentials (the URL for ${parsed.origin} has a user name or password, not shown): ` +
        "the collector gets the write key in the Authorization header; pass it as `writeKey`",
    );
  }
  const writeKey = options.writeKey ?? (env.THREADLINE_WRITE_KEY || undefined);
  if (writeKey !== undefined && (typeof writeKey !== "string" || writeKey === "")) {
    // The type only: a key given as a number is still a key.
    throw configError(
      `Option \`writeKey\` must be a non-empty string, got ${writeKey === "" ? "an empty string" : typeof writeKey}`,
    );
  }
  if (writeKey === undefined && !disable && !isLoopbackHost(parsed.hostname)) {
    throw configError(
      `Option \`writeKey\` is required for ${parsed.origin} (only a loopback collector may go without one)`,
    );
  }
  const path = options.path ?? DEFAULTS.path;
  if (typeof path !== "string" || !path.startsWith("/"))
    throw configError(`Option \`path\` must start with "/", got ${describe(path)}`);

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
    fetch: options.fetch,
    spool: spoolOption(options.spool),
    usingDevCollector,
    beforeSend: resolveBeforeSend(options.beforeSend),
  };
  if (resolved.maxMessageBytes > resolved.maxBatchBytes - 64) {
    throw configError(
      `Option \`maxMessageBytes\` (${resolved.maxMessageBytes}) must leave room in \`maxBatchBytes\` (${resolved.maxBatchBytes})`,
    );
  }
  return resolved;
}
