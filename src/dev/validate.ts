import { COLLECTOR_DEFAULTS } from "./options.js";

export const MESSAGE_TYPES = ["identify", "track", "page", "screen", "group", "alias"] as const;
export type CollectedType = (typeof MESSAGE_TYPES)[number];

/** A message as the collector stores it: what the client sent, plus `receivedAt`. */
export type StoredMessage = Record<string, unknown> & {
  type: CollectedType;
  messageId: string;
  receivedAt: string;
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** An id as the client treats it: a string or number, an empty string counting as missing. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && value !== "") return value;
  return undefined;
}

function badId(message: Record<string, unknown>, field: string): string | undefined {
  const value = message[field];
  if (value === undefined || value === null || value === "") return undefined;
  return idOf(value) === undefined ? `${field} must be a string or a number` : undefined;
}

function badTimestamp(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const parsed = typeof value === "string" ? Date.parse(value) : typeof value === "number" ? value : NaN;
  return Number.isFinite(parsed) ? undefined : "timestamp must be an ISO-8601 date";
}

const OBJECT_FIELDS = ["context", "integrations", "properties", "traits"] as const;
const STRING_FIELDS = ["name", "category"] as const;

/**
 * Why a message cannot be accepted, or undefined when it can. Mirrors the client's own
 * checks, so anything the client would refuse to send is refused here too.
 */
export function rejectionReason(message: unknown, maxBytes: number = COLLECTOR_DEFAULTS.maxMessageBytes): string | undefined {
  if (!isPlainObject(message)) return "message must be a JSON object";
  const type = message.type;
  if (typeof type !== "string" || !(MESSAGE_TYPES as readonly string[]).includes(type)) {
    return `type must be one of ${MESSAGE_TYPES.join(", ")}`;
  }
  const messageId = message.messageId;
  if (messageId !== undefined && (typeof messageId !== "string" || messageId === "" || messageId.length > 200)) {
    return "messageId must be a non-empty string of at most 200 characters";
  }
  for (const field of ["userId", "anonymousId", "previousId", "groupId"]) {
    const reason = badId(message, field);
    if (reason) return reason;
  }
  if (type === "alias") {
    if (idOf(message.userId) === undefined || idOf(message.previousId) === undefined) return "alias needs userId and previousId";
  } else if (idOf(message.userId) === undefined && idOf(message.anonymousId) === undefined) {
    return "userId or anonymousId is required";
  }
  if (type === "track" && (typeof message.event !== "string" || message.event === "")) {
    return "track needs an event name";
  }
  if (type === "group" && idOf(message.groupId) === undefined) return "group needs a groupId";
  const timestampReason = badTimestamp(message.timestamp);
  if (timestampReason) return timestampReason;
  for (const field of OBJECT_FIELDS) {
    // null counts as absent, as in the client.
    if (message[field] !== undefined && message[field] !== null && !isPlainObject(message[field])) return `${field} must be an object`;
  }
  for (const field of STRING_FIELDS) {
    if (message[field] !== undefined && message[field] !== null && typeof message[field] !== "string") return `${field} must be a string`;
  }
  const bytes = Buffer.byteLength(JSON.stringify(message));
  if (bytes > maxBytes) return `message is ${bytes} bytes, over the ${Math.round(maxBytes / 1024)} KB limit`;
  return undefined;
}
