import { idOf, type StoredMessage } from "./validate.js";

/** What the message is about, in a few words: the event name, page/screen name, group or alias target. */
export function describeMessage(message: StoredMessage): string {
  switch (message.type) {
    case "track":
      return JSON.stringify(message.event);
    case "page":
    case "screen":
      return typeof message.name === "string" ? JSON.stringify(message.name) : "";
    case "group":
      return `group=${idOf(message.groupId) ?? ""}`;
    case "alias":
      return `${idOf(message.previousId) ?? ""} -> ${idOf(message.userId) ?? ""}`;
    default:
      return "";
  }
}

/** One terminal line per accepted event: arrival time, type, ids, and what it is about. */
export function formatEventLine(message: StoredMessage): string {
  // Local wall-clock time: it is read next to the developer's own logs.
  const received = new Date(message.receivedAt);
  const pad = (n: number, width = 2): string => String(n).padStart(width, "0");
  const time = `${pad(received.getHours())}:${pad(received.getMinutes())}:${pad(received.getSeconds())}.${pad(received.getMilliseconds(), 3)}`;
  const ids = [
    idOf(message.userId) !== undefined ? `user=${idOf(message.userId)}` : "",
    idOf(message.anonymousId) !== undefined ? `anon=${idOf(message.anonymousId)}` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return [time, message.type.padEnd(8), ids, describeMessage(message)].filter(Boolean).join("  ");
}
