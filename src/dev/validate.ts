import {
  ID_FIELDS,
  idOf,
  isMessageType,
  isPlainObject,
  isValidMessageId,
  LIMITS,
  MESSAGE_TYPES,
  OBJECT_FIELDS,
  STRING_FIELDS,
  TYPE_RULES,
  type MessageType,
} from "../contract.js";

export { idOf, MESSAGE_TYPES };
export type CollectedType = MessageType;

/** A message as the collector stores it: what the client sent, plus `receivedAt`. */
export type StoredMessage = Record<string, unknown> & {
  type: CollectedType;
  messageId: string;
  receivedAt: string;
};

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

/**
 * Why a message cannot be accepted, or undefined when it can. The rules are the client's
 * own (src/contract.ts), so anything the client would refuse to send is refused here too.
 */
export function rejectionReason(message: unknown, maxBytes: number = LIMITS.maxMessageBytes): string | undefined {
  if (!isPlainObject(message)) return "message must be a JSON object";
  const type = message.type;
  if (!isMessageType(type)) return `type must be one of ${MESSAGE_TYPES.join(", ")}`;
  const messageId = message.messageId;
  if (messageId !== undefined && !isValidMessageId(messageId)) {
    return `messageId must be a non-empty string of at most ${LIMITS.maxMessageIdLength} characters`;
  }
  for (const field of ID_FIELDS) {
    const reason = badId(message, field);
    if (reason) return reason;
  }
  const rules = TYPE_RULES[type];
  if (rules.ids === "userAndPrevious") {
    if (idOf(message.userId) === undefined || idOf(message.previousId) === undefined)
      return "alias needs userId and previousId";
  } else if (idOf(message.userId) === undefined && idOf(message.anonymousId) === undefined) {
    return "userId or anonymousId is required";
  }
  if (rules.required === "event" && (typeof message.event !== "string" || message.event === "")) {
    return "track needs an event name";
  }
  if (rules.required === "groupId" && idOf(message.groupId) === undefined) return "group needs a groupId";
  const timestampReason = badTimestamp(message.timestamp);
  if (timestampReason) return timestampReason;
  for (const field of OBJECT_FIELDS) {
    // null counts as absent, as in the client.
    if (message[field] !== undefined && message[field] !== null && !isPlainObject(message[field]))
      return `${field} must be an object`;
  }
  for (const field of STRING_FIELDS) {
    if (message[field] !== undefined && message[field] !== null && typeof message[field] !== "string")
      return `${field} must be a string`;
  }
  const bytes = Buffer.byteLength(JSON.stringify(message));
  if (bytes > maxBytes) return `message is ${bytes} bytes, over the ${Math.round(maxBytes / 1024)} KB limit`;
  return undefined;
}
