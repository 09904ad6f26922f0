import type { ThreadlineError } from "./errors.js";

/** When the event happened: a `Date`, an ISO-8601 string or epoch milliseconds. */
export type Timestamp = Date | string | number;

/** A user or anonymous id; numbers are sent as strings, an empty string counts as missing. */
export type Id = string | number;

/** Fields every call shares (the `@segment/analytics-node` shape). */
export interface BaseMessage {
  userId?: Id;
  anonymousId?: Id;
  /** Merged into the sent `context`; `context.library` is always threadline's own. */
  context?: Record<string, unknown>;
  timestamp?: Timestamp;
  /** @default {} */
  integrations?: Record<string, unknown>;
  /** Your own id for deduplication; a UUID v4 is generated when absent. */
  messageId?: string;
}

export interface TrackMessage extends BaseMessage {
  event: string;
  /** @default {} */
  properties?: Record<string, unknown>;
}

export interface IdentifyMessage extends BaseMessage {
  /** @default {} */
  traits?: Record<string, unknown>;
}

export interface PageMessage extends BaseMessage {
  name?: string;
  category?: string;
  /** @default {} */
  properties?: Record<string, unknown>;
}

export type ScreenMessage = PageMessage;

export interface GroupMessage extends BaseMessage {
  groupId: Id;
  /** @default {} */
  traits?: Record<string, unknown>;
}

export interface AliasMessage extends Omit<BaseMessage, "userId" | "anonymousId"> {
  userId: Id;
  previousId: Id;
  anonymousId?: Id;
}

export type { MessageType } from "./contract.js";

/** Fires once per call: with no argument when delivered, with the error when it definitively failed. */
export type Callback = (err?: ThreadlineError) => void;

/** What `flush()` and `close()` resolve with: outcomes of the messages they waited for. */
export interface FlushResult {
  delivered: number;
  failed: number;
  dropped: number;
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
  status?: number;
  error: ThreadlineError;
  count: number;
}

export interface DropEvent {
  count: number;
  messageIds: string[];
  /** `consent`: the request's consent level forbids it; `before_send`: a `beforeSend` step returned null. */
  reason: "queue_overflow" | "closed" | "consent" | "before_send";
}

/** The client's events and their payloads. */
export interface AnalyticsEvents {
  error: ThreadlineError;
  delivered: DeliveredEvent;
  retry: RetryEvent;
  drop: DropEvent;
}
