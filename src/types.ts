import type { ThreadlineError } from "./errors.js";

/** When the event happened: a `Date`, an ISO-8601 string or epoch milliseconds. */
export type Timestamp = Date | string | number;

/** A user or anonymous id; numbers are sent as strings, an empty string counts as missing. */
export type Id = string | number;

/** Fields every call shares (the `@segment/analytics-node` shape). */
export interface BaseMessage {
  userId?: Id | undefined;
  anonymousId?: Id | undefined;
  /** Merged into the sent `context`; `context.library` is always threadline's own. */
  context?: Record<string, unknown> | undefined;
  timestamp?: Timestamp | undefined;
  /** @default {} */
  integrations?: Record<string, unknown> | undefined;
  /** Your own id for deduplication; a UUID v4 is generated when absent. */
  messageId?: string | undefined;
}

export interface TrackMessage extends BaseMessage {
  event: string;
  /** @default {} */
  properties?: Record<string, unknown> | undefined;
}

export interface IdentifyMessage extends BaseMessage {
  /** @default {} */
  traits?: Record<string, unknown> | undefined;
}

export interface PageMessage extends BaseMessage {
  name?: string | undefined;
  category?: string | undefined;
  /** @default {} */
  properties?: Record<string, unknown> | undefined;
}

export type ScreenMessage = PageMessage;

export interface GroupMessage extends BaseMessage {
  groupId: Id;
  /** @default {} */
  traits?: Record<string, unknown> | undefined;
}

export interface AliasMessage extends Omit<BaseMessage, "userId" | "anonymousId"> {
  userId: Id;
  previousId: Id;
  anonymousId?: Id | undefined;
}

export type { MessageType } from "./contract.js";

/** Fires once per call: with no argument when delivered, with the error when it definitively failed. */
export type Callback = (err?: ThreadlineError) => void;

/**
 * What `flush()` and `close()` resolve with: the outcomes of the messages they cover
 * (accepted before the call, not counted by an earlier flush). The four counts add up
 * to those messages.
 */
export interface FlushResult {
  delivered: number;
  failed: number;
  dropped: number;
  /**
   * Messages with no outcome yet when a `flush({ timeoutMs })` reached its deadline:
   * still queued or in flight, with their retries, and counted by a later flush.
   * Always present; 0 when nothing is left.
   */
  pending: number;
}

/** Options of `flush()`. */
export interface FlushOptions {
  /**
   * Resolve by this deadline at the latest (milliseconds), counting what is still
   * unconfirmed as `pending` instead of waiting for it.
   * @default undefined (wait until every covered message has an outcome)
   */
  timeoutMs?: number | undefined;
}

export interface DeliveredEvent {
  count: number;
  messageIds: string[];
  status: number;
  attempts: number;
}

export interface RetryEvent {
  /** The retry about to happen: 1 for the first retry. */
  attempt: number;
  delayMs: number;
  status?: number | undefined;
  error: ThreadlineError;
  count: number;
}

export interface DropEvent {
  count: number;
  messageIds: string[];
  /**
   * `consent`: the request's consent level forbids it; `before_send`: a `beforeSend` step
   * returned null; `spool_full`: the spool reached its `maxBytes` (the oldest spooled messages go first).
   */
  reason: "queue_overflow" | "closed" | "spool_full" | "consent" | "before_send";
}

/** The client's events and their payloads. */
export interface AnalyticsEvents {
  error: ThreadlineError;
  delivered: DeliveredEvent;
  retry: RetryEvent;
  drop: DropEvent;
}
