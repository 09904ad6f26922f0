import { parseArgs } from "node:util";
import type { CollectorOptions } from "./options.js";

export const USAGE = `Usage: threadline dev [options]

Runs the local collector on 127.0.0.1 and prints its URL on stdout.

  --port <n>            port to listen on, 0 for any free one (default 4440)
  --data <file>         NDJSON file of accepted events (default .threadline/events.ndjson)
  --write-key <key>     require this write key (Basic auth) on /v1 and /dev; 401 otherwise
  --allow-origin <o>    let a browser page on origin <o> (e.g. http://localhost:3000) call
                        /v1 and /dev (CORS); repeatable; default: no cross-origin calls
  --allow-host <name>   accept this Host name besides 127.0.0.1, localhost, [::1]; repeatable
  --max-rejected <n>    rejected messages kept for /dev/rejected, newest first (default 1000)
  --headers-timeout <ms>  time a client has to send its headers (default 10000)
  --request-timeout <ms>  time a client has to send its whole request (default 30000)
  --body-timeout <ms>     longest pause inside a request body (default 5000)
  --fail-rate <0..1>    share of /v1 requests that fail (default: all, when a fault flag is given)
  --status <code>       status of an injected failure (default 503)
  --retry-after <s>     Retry-After header on injected failures
  --latency <ms>        delay before every /v1 answer
  --drop-connections    destroy the socket instead of answering a failing request
  --quiet               no line per accepted event
  -h, --help            this help

threadline export --to <url>: load the collected events into Postgres or ClickHouse
(threadline export --help for its options).
`;

export class UsageError extends Error {}

function number(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === "" || !Number.isFinite(value)) throw new UsageError(`--${flag} needs a number, got "${text}"`);
  return value;
}

/** `argv` without node and the script: `["dev", "--port", "0", ...]`. */
export function parseCliArgs(argv: string[]): { help: true } | { help: false; options: CollectorOptions } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        port: { type: "string" },
        data: { type: "string" },
        "write-key": { type: "string" },
        "allow-origin": { type: "string", multiple: true },
        "allow-host": { type: "string", multiple: true },
        "max-rejected": { type: "string" },
        "headers-timeout": { type: "string" },
        "request-timeout": { type: "string" },
        "body-timeout": { type: "string" },
        "fail-rate": { type: "string" },
        status: { type: "string" },
        "retry-after": { type: "string" },
        latency: { type: "string" },
        "drop-connections": { type: "boolean" },
        quiet: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true };
  if (positionals.length !== 1 || positionals[0] !== "dev") {
    throw new UsageError(
      positionals.length === 0
        ? "missing command: threadline dev (or threadline export)"
        : `unknown command: ${positionals.join(" ")}`,
    );
  }
  const faults = {
    failRate: number("fail-rate", values["fail-rate"]),
    status: number("status", values.status),
    retryAfter: number("retry-after", values["retry-after"]),
    latencyMs: number("latency", values.latency),
    dropConnections: values["drop-connections"],
  };
  const options: CollectorOptions = {
    port: number("port", values.port),
    dataFile: values.data,
    writeKey: values["write-key"],
    allowOrigins: values["allow-origin"],
    allowHosts: values["allow-host"],
    maxRejected: number("max-rejected", values["max-rejected"]),
    headersTimeoutMs: number("headers-timeout", values["headers-timeout"]),
    requestTimeoutMs: number("request-timeout", values["request-timeout"]),
    bodyTimeoutMs: number("body-timeout", values["body-timeout"]),
    quiet: values.quiet,
    faults: Object.fromEntries(Object.entries(faults).filter(([, value]) => value !== undefined)),
  };
  return {
    help: false,
    options: Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as CollectorOptions,
  };
}
