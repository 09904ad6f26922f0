import type { MessageType } from "./contract.js";
import { ThreadlineError } from "./errors.js";
import { walkChars } from "./walk.js";

// The texts of refused calls: only the failure path runs this file, so it may spend
// what the hot path in message.ts must not (descriptor reads, a bounded serialization).

/** An `invalid_message` error, naming the message when its id is known. */
export function invalid(message: string, messageId?: string): ThreadlineError {
  return new ThreadlineError("invalid_message", message, messageId ? { messageIds: [messageId] } : {});
}

/** What a bad value is, for an error text. Total: reading a hostile value (a Proxy, a getter on `constructor`) may throw. */
export function describe(value: unknown): string {
  try {
    return describeUnsafe(value);
  } catch {
    return "an unreadable value";
  }
}

function describeUnsafe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (value instanceof Date && Number.isNaN(value.getTime())) return "an Invalid Date";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string")
    return value === ""
      ? "an empty string"
      : `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + "…" : value)}`;
  if (typeof value !== "object") return `${typeof value} ${String(value).slice(0, 40)}`;
  // The prototype's own `constructor`, read without running the caller's getters.
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto === null) return "a null-prototype object";
  const ctor = Object.getOwnPropertyDescriptor(proto, "constructor")?.value as { name?: unknown } | undefined;
  const name = typeof ctor === "function" ? Object.getOwnPropertyDescriptor(ctor, "name")?.value : undefined;
  return typeof name === "string" && name !== "" ? `a ${name.slice(0, 40)}` : "an object";
}

/** The top-level string field that is longest: when the walk never started, one of them passed the limit. */
export function longestString(message: Record<string, unknown>): string | undefined {
  let longest: string | undefined;
  let most = -1;
  for (const key of Object.keys(message)) {
    const value = message[key];
    if (typeof value === "string" && value.length > most) {
      most = value.length;
      longest = key;
    }
  }
  return longest;
}

/** The top-level field with the longest JSON, to point at in a `message_too_large` text (failure path only). */
export function largestField(message: Record<string, unknown>): string | undefined {
  let largest: string | undefined;
  let most = -1;
  for (const key of Object.keys(message)) {
    const size = JSON.stringify(message[key])?.length ?? 0;
    if (size > most) {
      most = size;
      largest = key;
    }
  }
  return largest;
}

export function missingIds(type: MessageType, messageId: string): ThreadlineError {
  return invalid(`${type}() needs \`userId\` or \`anonymousId\` (a non-empty string or number)`, messageId);
}

// Bounds for measuring a message the walk stopped early on (failure path only): a few
// large strings are measured exactly; a sparse array of length 1e9 or a million small
// values is not serialized at all, and the text says "more than" instead.
const MEASURE_MAX_CHARS = 16 * 1024 * 1024;
const MEASURE_MAX_VALUES = 100_000;
const STOP = new Error("measure budget");

export function measure(message: Record<string, unknown>, limit: number): number | undefined {
  if (walkChars() > Math.max(MEASURE_MAX_CHARS, limit * 4)) return undefined;
  let budget = MEASURE_MAX_VALUES;
  try {
    return Buffer.byteLength(
      JSON.stringify(message, (_key, value: unknown) => {
        if (--budget < 0) throw STOP;
        return value;
      }),
    );
  } catch {
    return undefined;
  }
}

export function tooLarge(
  type: MessageType,
  messageId: string,
  bytes: number | undefined,
  limit: number,
  field: string | undefined,
): ThreadlineError {
  // Without `bytes` the message was too big to measure within measure()'s bounds.
  const size = bytes === undefined ? "more than" : `${bytes} bytes, more than`;
  const where = field === undefined ? "" : ` (the limit is passed at \`${field}\`)`;
  return new ThreadlineError(
    "message_too_large",
    `${type} message ${messageId} is ${size} maxMessageBytes (${limit} bytes)${where}`,
    {
      messageIds: [messageId],
    },
  );
}
