/**
 * The message rules both ends share: the client (message.ts) refuses to send what the
 * local collector (dev/validate.ts) would refuse to store, because both read them here.
 * Imports nothing, so `src/dev/` may depend on it without pulling in the client.
 */

/** The six Segment call types, in the order the docs list them. */
export const MESSAGE_TYPES = ["identify", "track", "page", "screen", "group", "alias"] as const;

export type MessageType = (typeof MESSAGE_TYPES)[number];

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === "string" && (MESSAGE_TYPES as readonly string[]).includes(value);
}

/** Size limits, in bytes of UTF-8 JSON. */
export const LIMITS = {
  /** One message (Segment's documented per-message limit). */
  maxMessageBytes: 32 * 1024,
  /** One request body the client builds; a little under the collector's limit, for `sentAt` and slack. */
  maxBatchBytes: 480 * 1024,
  /** One request body a collector accepts (Segment's documented per-request limit). */
  maxBodyBytes: 500 * 1024,
  /** A caller's own `messageId`, in characters. */
  maxMessageIdLength: 200,
} as const;

/** Which ids a type needs: `either` = `userId` or `anonymousId`; alias needs `userId` and `previousId`. */
export type IdRule = "either" | "userAndPrevious";

/** The fields each call type requires beyond its ids, and the object payload it carries. */
export const TYPE_RULES: Readonly<
  Record<MessageType, { ids: IdRule; required?: "event" | "groupId"; payload?: "properties" | "traits" }>
> = {
  identify: { ids: "either", payload: "traits" },
  track: { ids: "either", required: "event", payload: "properties" },
  page: { ids: "either", payload: "properties" },
  screen: { ids: "either", payload: "properties" },
  group: { ids: "either", required: "groupId", payload: "traits" },
  alias: { ids: "userAndPrevious" },
};

/** Fields that, when present and not null, must be plain objects. */
export const OBJECT_FIELDS = ["context", "integrations", "properties", "traits"] as const;

/** Fields that, when present and not null, must be strings. */
export const STRING_FIELDS = ["name", "category"] as const;

/** Id fields: a string or a finite number; an empty string counts as missing. */
export const ID_FIELDS = ["userId", "anonymousId", "previousId", "groupId"] as const;

/** An object literal (or `Object.create(null)`): not an array, a Date, a Map or a class instance. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** An id as it is sent: a non-empty string, or a finite number as a string; undefined otherwise. */
export function idOf(value: unknown): string | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value === "string" && value !== "") return value;
  return undefined;
}

/** A caller-given `messageId` is a non-empty string of at most {@link LIMITS.maxMessageIdLength} characters. */
export function isValidMessageId(value: unknown): value is string {
  return typeof value === "string" && value !== "" && value.length <= LIMITS.maxMessageIdLength;
}
