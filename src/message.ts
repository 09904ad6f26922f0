import { v4 as uuidv4 } from "uuid";
import { isPlainObject, isValidMessageId, LIMITS, type MessageType } from "./contract.js";
import { ThreadlineError } from "./errors.js";
import { describe, invalid, largestField, longestString, measure, missingIds, tooLarge } from "./refusal.js";
import { LIBRARY } from "./version.js";
import { beginWalk, diagnose, reasonOf, walk, walkLargeAt, walkProblem, WALK_OK, WALK_PROBLEM } from "./walk.js";

/** A message accepted into the queue: its JSON text (built once), size and id. */
export interface SerializedMessage {
  json: string;
  bytes: number;
  messageId: string;
}

export type BuildResult = SerializedMessage | ThreadlineError;

// The ISO string changes at most once per millisecond; a burst of calls in the same
// millisecond reuses it instead of formatting a Date each time.
let lastMs = -1;
let lastIso = "";
function nowIso(): string {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
}

const EMPTY_CONTEXT = Object.freeze({ library: LIBRARY });
const MAX_TIME = 8.64e15;

/**
 * The top-level field being read, so a getter or Proxy trap that throws is reported by
 * name. A string constant per step: no allocation on the hot path.
 */
let reading = "";
let building = false;

/** A string or finite number id, as a string; undefined when missing; an error text when malformed. */
function normalizeId(value: unknown, field: string): string | undefined | { error: string } {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return { error: `\`${field}\` must be a string or number, got ${describe(value)}` };
}

function normalizeTimestamp(value: unknown): string | { error: string } {
  if (value === undefined || value === null) return nowIso();
  let time: number;
  if (value instanceof Date) time = value.getTime();
  else if (typeof value === "number") time = value;
  else if (typeof value === "string") time = Date.parse(value);
  else return { error: `\`timestamp\` must be a Date, an ISO string or epoch milliseconds, got ${describe(value)}` };
  if (!Number.isFinite(time)) return { error: `\`timestamp\` must be a valid time, got ${describe(value)}` };
  // toISOString throws outside the Date range (±8.64e15 ms), e.g. microseconds passed as milliseconds.
  if (Math.abs(time) > MAX_TIME)
    return { error: `\`timestamp\` ${time} is outside the Date range (epoch milliseconds up to ±8.64e15)` };
  return new Date(time).toISOString();
}

function objectField(
  input: Record<string, unknown>,
  field: string,
): Record<string, unknown> | undefined | { error: string } {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!isPlainObject(value)) return { error: `\`${field}\` must be a plain object, got ${describe(value)}` };
  return value;
}

function isError(value: unknown): value is { error: string } {
  return (
    typeof value === "object" &&
    value !== null &&
    "error" in value &&
    typeof (value as { error: unknown }).error === "string"
  );
}

/**
 * Validates one call, stamps it (messageId, timestamp, context.library) and serializes
 * it once. Never throws: a bad call comes back as a `ThreadlineError`. The caller's
 * objects are read, never mutated.
 */
export function buildMessage(type: MessageType, input: unknown, maxMessageBytes: number): BuildResult {
  // The walk's state is module-level: a getter or toJSON that makes a call of its own
  // while this one is read would corrupt it, so that inner call is refused instead.
  if (building)
    return invalid(
      `${type}() was called from inside another call's payload (a getter or toJSON); make it after that call returns`,
    );
  building = true;
  reading = "";
  // Every read of the caller's objects may run their code (getters, Proxy traps): one
  // try around the whole build makes it total, and costs nothing until something throws.
  try {
    return build(type, input, maxMessageBytes);
  } catch (cause) {
    const what = reading === "" ? "its argument" : `\`${reading}\``;
    return new ThreadlineError("invalid_message", `${type}() cannot read ${what} (${reasonOf(cause)})`, { cause });
  } finally {
    building = false;
  }
}

function build(type: MessageType, input: unknown, maxMessageBytes: number): BuildResult {
  if (!isPlainObject(input))
    return invalid(`${type}() takes one object such as { userId, ... }, got ${describe(input)}`);

  reading = "messageId";
  const givenId = input.messageId;
  if (givenId !== undefined && !isValidMessageId(givenId)) {
    return invalid(
      `\`messageId\` must be a non-empty string of at most ${LIMITS.maxMessageIdLength} characters, got ${describe(givenId)}`,
    );
  }
  const messageId = (givenId as string | undefined) ?? uuidv4();

  reading = "userId";
  const userId = normalizeId(input.userId, "userId");
  if (isError(userId)) return invalid(userId.error, messageId);
  reading = "anonymousId";
  const anonymousId = normalizeId(input.anonymousId, "anonymousId");
  if (isError(anonymousId)) return invalid(anonymousId.error, messageId);

  reading = "timestamp";
  const timestamp = normalizeTimestamp(input.timestamp);
  if (isError(timestamp)) return invalid(timestamp.error, messageId);
  reading = "context";
  const context = objectField(input, "context");
  if (isError(context)) return invalid(context.error, messageId);
  reading = "integrations";
  const integrations = objectField(input, "integrations");
  if (isError(integrations)) return invalid(integrations.error, messageId);

  // Field order mirrors Segment's wire format; the object is built in one literal so
  // V8 gives every message of a type the same hidden class.
  let message: Record<string, unknown>;
  switch (type) {
    case "track": {
      reading = "event";
      const event = input.event;
      if (typeof event !== "string" || event === "")
        return invalid(`track() needs \`event\`, a non-empty string; got ${describe(event)}`, messageId);
      reading = "properties";
      const properties = objectField(input, "properties");
      if (isError(properties)) return invalid(properties.error, messageId);
      if (userId === undefined && anonymousId === undefined) return missingIds(type, messageId);
      message = {
        type,
        messageId,
        timestamp,
        userId,
        anonymousId,
        event,
        properties: properties ?? {},
        context: undefined,
        integrations: undefined,
      };
      break;
    }
    case "identify": {
      reading = "traits";
      const traits = objectField(input, "traits");
      if (isError(traits)) return invalid(traits.error, messageId);
      if (userId === undefined && anonymousId === undefined) return missingIds(type, messageId);
      message = {
        type,
        messageId,
        timestamp,
        userId,
        anonymousId,
        traits: traits ?? {},
        context: undefined,
        integrations: undefined,
      };
      break;
    }
    case "page":
    case "screen": {
      reading = "name";
      const name = input.name;
      reading = "category";
      const category = input.category;
      if (name !== undefined && name !== null && typeof name !== "string")
        return invalid(`\`name\` must be a string, got ${describe(name)}`, messageId);
      if (category !== undefined && category !== null && typeof category !== "string")
        return invalid(`\`category\` must be a string, got ${describe(category)}`, messageId);
      reading = "properties";
      const properties = objectField(input, "properties");
      if (isError(properties)) return invalid(properties.error, messageId);
      if (userId === undefined && anonymousId === undefined) return missingIds(type, messageId);
      message = {
        type,
        messageId,
        timestamp,
        userId,
        anonymousId,
        name: name ?? undefined,
        category: category ?? undefined,
        properties: properties ?? {},
        context: undefined,
        integrations: undefined,
      };
      break;
    }
    case "group": {
      reading = "groupId";
      const groupId = normalizeId(input.groupId, "groupId");
      if (isError(groupId)) return invalid(groupId.error, messageId);
      if (groupId === undefined) return invalid("group() needs `groupId`, a non-empty string or number", messageId);
      reading = "traits";
      const traits = objectField(input, "traits");
      if (isError(traits)) return invalid(traits.error, messageId);
      if (userId === undefined && anonymousId === undefined) return missingIds(type, messageId);
      message = {
        type,
        messageId,
        timestamp,
        userId,
        anonymousId,
        groupId,
        traits: traits ?? {},
        context: undefined,
        integrations: undefined,
      };
      break;
    }
    case "alias": {
      reading = "previousId";
      const previousId = normalizeId(input.previousId, "previousId");
      if (isError(previousId)) return invalid(previousId.error, messageId);
      if (userId === undefined || previousId === undefined) {
        return invalid("alias() needs both `userId` (the new id) and `previousId` (the old one)", messageId);
      }
      message = {
        type,
        messageId,
        timestamp,
        userId,
        anonymousId,
        previousId,
        context: undefined,
        integrations: undefined,
      };
      break;
    }
    default:
      return invalid(`Unknown message type ${describe(type)}`);
  }
  reading = "context";
  message.context = context === undefined ? EMPTY_CONTEXT : { ...context, library: LIBRARY };
  message.integrations = integrations ?? {};

  // Only the caller's payloads need walking: everything else was checked above, but its
  // strings count towards the size (a megabyte `event` is refused before it is copied).
  beginWalk(
    maxMessageBytes,
    stringLength(userId) +
      stringLength(anonymousId) +
      stringLength(message.event) +
      stringLength(message.name) +
      stringLength(message.category) +
      stringLength(message.groupId) +
      stringLength(message.previousId),
  );
  walk(message.properties ?? message.traits, message.properties === undefined ? "traits" : "properties");
  walk(context, "context");
  const walked = walk(integrations, "integrations");
  if (walked !== WALK_OK) {
    return walked === WALK_PROBLEM
      ? invalid(`Cannot send ${type}: ${walkProblem()}`, messageId)
      : tooLarge(
          type,
          messageId,
          measure(message, maxMessageBytes),
          maxMessageBytes,
          walkLargeAt() ?? longestString(message),
        );
  }

  let json: string;
  try {
    json = JSON.stringify(message);
  } catch (cause) {
    // The walk passed, so a toJSON or a getter misbehaved: walk again the serializer's way to say where.
    const where =
      diagnose(message.properties ?? message.traits, message.properties === undefined ? "traits" : "properties") ??
      diagnose(context, "context") ??
      diagnose(integrations, "integrations");
    return new ThreadlineError("invalid_message", `Cannot serialize ${type}: ${where ?? reasonOf(cause)}`, {
      cause,
      messageIds: [messageId],
    });
  }
  // Exact UTF-8 size: batch limits are enforced on it, so a body never overshoots.
  const bytes = Buffer.byteLength(json);
  if (bytes > maxMessageBytes) return tooLarge(type, messageId, bytes, maxMessageBytes, largestField(message));
  return { json, bytes, messageId };
}

function stringLength(value: unknown): number {
  return typeof value === "string" ? value.length : 0;
}
