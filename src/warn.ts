import type { ThreadlineError } from "./errors.js";

/** At most one stderr line per key (an error code, a listener's event) in this window; the rest are summed up. */
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
 * The fallback when a client has no `error` listener, and the one route for app code
 * of ours to call that throws (listeners, callbacks): a line on stderr instead of an
 * unhandled 'error' or an uncaught exception that would crash the process.
 * Rate-limited per key so a down collector or a hot loop of bad calls cannot flood the logs.
 */
export class StderrWarner {
  private lastPrinted = new Map<string, number>();
  private suppressed = new Map<string, number>();

  constructor(private readonly write: (line: string) => void = writeLine) {}

  warn(error: ThreadlineError): void {
    this.line(error.code, `${error.code}: ${error.message}`, `${error.code} errors`);
  }

  /** One line `threadline: <text>` on stderr unless `key` printed within the window; `what` names the skipped ones. */
  line(key: string, text: string, what: string): void {
    const now = Date.now();
    const last = this.lastPrinted.get(key);
    if (last !== undefined && now - last < WINDOW_MS) {
      this.suppressed.set(key, (this.suppressed.get(key) ?? 0) + 1);
      return;
    }
    const skipped = this.suppressed.get(key) ?? 0;
    this.suppressed.delete(key);
    this.lastPrinted.set(key, now);
    const more = skipped > 0 ? ` (${skipped} more ${what} since the last report)` : "";
    this.write(`${text}${more}`);
  }
}

const appCodeWarner = new StderrWarner();

/**
 * A listener or per-call callback threw (or its promise rejected). It is the app's bug,
 * reported once per window on stderr; threadline's bookkeeping (retries, counts,
 * flush()) carries on as if it had returned.
 */
export function warnAppCodeThrew(where: string, thrown: unknown): void {
  let reason: string;
  try {
    reason =
      thrown instanceof Error
        ? `${String(thrown.name)}: ${String(thrown.message)}`
        : typeof thrown === "string"
          ? thrown
          : `a thrown ${typeof thrown}`;
  } catch {
    reason = "an unreadable error";
  }
  if (reason.length > 300) reason = reason.slice(0, 300) + "…";
  appCodeWarner.line(
    `threw:${where}`,
    `${where} threw (${reason}); delivery goes on unaffected`,
    `throws from ${where}`,
  );
}

/** Runs app code we were handed (a listener, a callback) so that nothing it does reaches our caller. */
export function callAppCode<T>(where: string, fn: (arg: T) => unknown, arg: T): void {
  try {
    const result = fn(arg);
    // An async listener's rejection would otherwise be unhandled.
    if (result !== null && typeof result === "object" && typeof (result as PromiseLike<unknown>).then === "function") {
      (result as PromiseLike<unknown>).then(undefined, (thrown: unknown) => warnAppCodeThrew(where, thrown));
    }
  } catch (thrown) {
    warnAppCodeThrew(where, thrown);
  }
}
