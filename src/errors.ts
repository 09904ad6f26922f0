/** Stable machine-readable codes carried by every {@link ThreadlineError}. */
export type ErrorCode =
  | "invalid_message"
  | "message_too_large"
  | "queue_overflow"
  | "delivery_failed"
  /** On `retry` events only: this attempt failed and will be retried (not a final outcome). */
  | "delivery_retry"
  | "closed"
  | "config"
  /** A `beforeSend` hook threw; the message was not sent. */
  | "before_send"
  /** The durable spool cannot be written or read; delivery goes on from memory. */
  | "spool_unavailable"
  /** A spool file could not be read back; the unreadable part is set aside. */
  | "spool_corrupt"
  // `threadline export` (src/dev/export/)
  | "export_bad_url"
  | "export_unreachable"
  | "export_bad_line"
  | "export_failed";

export const ERROR_CODES: readonly ErrorCode[] = [
  "invalid_message",
  "message_too_large",
  "queue_overflow",
  "delivery_failed",
  "delivery_retry",
  "closed",
  "config",
  "before_send",
  "spool_unavailable",
  "spool_corrupt",
  "export_bad_url",
  "export_unreachable",
  "export_bad_line",
  "export_failed",
];

export interface ThreadlineErrorOptions {
  cause?: unknown;
  /** HTTP status of the collector's last answer, where there was one. */
  status?: number | undefined;
  /** The messages this error is about, where known. */
  messageIds?: string[] | undefined;
}

/** Every failure threadline reports: a stable `code`, a readable message, the `cause`. */
export class ThreadlineError extends Error {
  override name = "ThreadlineError";
  readonly code: ErrorCode;
  readonly status?: number;
  readonly messageIds?: string[];

  constructor(code: ErrorCode, message: string, options: ThreadlineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    if (options.status !== undefined) this.status = options.status;
    if (options.messageIds !== undefined) this.messageIds = options.messageIds;
  }
}

/** True for any error threadline raised, whichever copy of the package raised it. */
export function isThreadlineError(value: unknown): value is ThreadlineError {
  return (
    value instanceof ThreadlineError ||
    (value instanceof Error && value.name === "ThreadlineError" && typeof (value as ThreadlineError).code === "string")
  );
}
