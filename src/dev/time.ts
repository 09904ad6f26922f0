import type { StoredMessage } from "./validate.js";

/** When it happened by the sender's clock, falling back to arrival for a message without one. */
export function eventTime(message: StoredMessage): number {
  const stamp = message.timestamp;
  const parsed = typeof stamp === "number" ? stamp : typeof stamp === "string" ? Date.parse(stamp) : NaN;
  return Number.isFinite(parsed) ? parsed : Date.parse(message.receivedAt);
}
