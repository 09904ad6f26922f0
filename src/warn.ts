import type { ThreadlineError } from "./errors.js";

/** At most one stderr line per error code in this window; the rest are summed up. */
const WINDOW_MS = 10_000;

/** The one route to stderr: every line threadline prints goes through here. */
function writeLine(line: string): void {
  process.stderr.write(`threadline: ${line}\n`);
}

const noticesShown = new Set<string>();

/** A one-time notice per process (e.g. "sending to the local dev collector"). */
export function noticeOnce(key: string, text: string): void {
  if (noticesShown.has(key)) return;
  noticesShown.add(key);
  writeLine(text);
}

/**
 * The fallback when a client has no `error` listener: a line on stderr instead of an
 * unhandled 'error' that would crash the process. Rate-limited per code so a down
 * collector or a hot loop of bad calls cannot flood the logs.
 */
export class StderrWarner {
  private lastPrinted = new Map<string, number>();
  private suppressed = new Map<string, number>();

  constructor(private readonly write: (line: string) => void = writeLine) {}

  warn(error: ThreadlineError): void {
    const now = Date.now();
    const last = this.lastPrinted.get(error.code);
    if (last !== undefined && now - last < WINDOW_MS) {
      this.suppressed.set(error.code, (this.suppressed.get(error.code) ?? 0) + 1);
      return;
    }
    const skipped = this.suppressed.get(error.code) ?? 0;
    this.suppressed.delete(error.code);
    this.lastPrinted.set(error.code, now);
    const more = skipped > 0 ? ` (${skipped} more ${error.code} errors since the last report)` : "";
    this.write(`${error.code}: ${error.message}${more}`);
  }
}
