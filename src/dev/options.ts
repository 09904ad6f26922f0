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
  /** When set, `/v1/*` requires `Authorization: Basic base64(writeKey + ":")`, else 401. */
  writeKey?: string;
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
  faults: ResolvedFaults;
  log: (line: string) => void;
}

function configError(message: string): ThreadlineError {
  return new ThreadlineError("config", `threadline dev: ${message}`);
}

function checkNumber(name: string, value: unknown, min: number, max: number, integer = false): void {
  if (value === undefined) return;
  if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw configError(`${name} must be ${integer ? "an integer" : "a number"} from ${min} to ${max}, got ${String(value)}`);
  }
}

export function resolveCollectorOptions(options: CollectorOptions = {}): ResolvedCollectorOptions {
  const faults = options.faults ?? {};
  checkNumber("port", options.port, 0, 65535, true);
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
  const failureAsked = faults.status !== undefined || faults.retryAfter !== undefined || faults.dropConnections === true;
  const failRate = faults.failRate ?? (failureAsked ? 1 : 0);
  return {
    port: options.port ?? COLLECTOR_DEFAULTS.port,
    dataFile: options.dataFile ?? COLLECTOR_DEFAULTS.dataFile,
    // An empty key would demand auth nobody can send; treat it as "no key".
    ...(options.writeKey ? { writeKey: options.writeKey } : {}),
    quiet: options.quiet ?? false,
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
