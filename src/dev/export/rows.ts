import { eventTime } from "../stitch.js";
import { idOf, type StoredMessage } from "../validate.js";

/** Segment's warehouse tables, one per call type. */
export const TABLES = {
  identify: "identifies",
  track: "tracks",
  page: "pages",
  screen: "screens",
  group: "groups",
  alias: "aliases",
} as const;

export type TableName = (typeof TABLES)[keyof typeof TABLES];

/**
 * One event as a warehouse row, engine-neutral: times in epoch milliseconds, text or null.
 * The drivers turn times into their engine's type.
 */
export interface Row {
  id: string;
  anonymous_id: string | null;
  user_id: string | null;
  timestamp: number;
  received_at: number | null;
  arrival: number;
  [column: string]: string | number | null;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Text as the collector reads it: a non-empty string, else NULL (an empty string loads as NULL). */
function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function integer(value: unknown): number | null {
  return typeof value === "number" && Number.isSafeInteger(value) ? value : null;
}

function json(value: unknown): string {
  return JSON.stringify(record(value));
}

/** Segment's `event` column: the event name as a column-safe slug ("Order Completed" → "order_completed"). */
export function eventSlug(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
}

/**
 * The row of one stored message, or why it has none. `arrival` is its line in the file: the
 * collector's arrival order, which breaks ties between equal timestamps.
 */
export function toRow(message: unknown, arrival: number): { table: TableName; row: Row } | { reason: string } {
  if (typeof message !== "object" || message === null || Array.isArray(message)) return { reason: "not a JSON object" };
  const m = message as StoredMessage;
  const table = TABLES[m.type as keyof typeof TABLES];
  if (typeof m.type !== "string" || table === undefined) return { reason: `unknown type ${JSON.stringify(m.type)}` };
  const id = text(m.messageId);
  if (id === null) return { reason: "no messageId" };
  const userId = idOf(m.userId) ?? null;
  const anonymousId = idOf(m.anonymousId) ?? null;
  if (userId === null && anonymousId === null) return { reason: "no userId or anonymousId" };
  const timestamp = eventTime(m);
  if (!Number.isFinite(timestamp)) return { reason: "no parseable timestamp or receivedAt" };
  const receivedAt = Date.parse(String(m.receivedAt));
  const context = record(m.context);
  const page = record(context.page);
  const campaign = record(context.campaign);
  const session = record(context.session);
  const library = record(context.library);
  const row: Row = {
    id,
    anonymous_id: anonymousId,
    user_id: userId,
    timestamp,
    received_at: Number.isFinite(receivedAt) ? receivedAt : null,
    arrival,
    context_ip: text(context.ip),
    context_user_agent: text(context.userAgent),
    context_locale: text(context.locale),
    context_page_url: text(page.url),
    context_page_path: text(page.path),
    context_page_referrer: text(page.referrer),
    context_page_title: text(page.title),
    context_campaign_source: text(campaign.source),
    context_campaign_medium: text(campaign.medium),
    context_campaign_name: text(campaign.name),
    context_campaign_term: text(campaign.term),
    context_campaign_content: text(campaign.content),
    context_session_id: text(session.sessionId),
    context_session_index: integer(session.sessionIndex),
    context_library_name: text(library.name),
    context_library_version: text(library.version),
  };
  switch (table) {
    case "identifies":
      row.traits = json(m.traits);
      break;
    case "tracks": {
      const event = text(m.event);
      row.event = event === null ? null : eventSlug(event) || null;
      row.event_text = event;
      row.properties = json(m.properties);
      break;
    }
    case "pages":
    case "screens":
      row.name = text(m.name);
      row.category = text(m.category);
      row.properties = json(m.properties);
      break;
    case "groups":
      row.group_id = idOf(m.groupId) ?? null;
      row.traits = json(m.traits);
      break;
    case "aliases":
      row.previous_id = idOf(m.previousId) ?? null;
      break;
  }
  return { table, row };
}
