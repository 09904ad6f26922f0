import { createHash } from "node:crypto";
import { touchOf } from "./campaign.js";
import { eventTime } from "./time.js";
import { idOf, type StoredMessage } from "./validate.js";

/*
 * Sessions (visits) at query time, as the stitching recipe wants them: the entry source per
 * visit. An event that carries `context.session` (the identity middleware sets it) belongs
 * to that session. An event without one (another SDK, a hand-written call) is sessionized
 * on its device: it joins the device's current session unless the device was inactive for
 * more than 30 minutes, which starts a new one with an id derived from the device and the
 * session's first event (so the same events always give the same id).
 */

/** Snowplow's and GA's visit rule, and the middleware's default `timeoutSeconds`. */
export const INACTIVITY_MS = 30 * 60 * 1000;

/** How a visit began: its first event's campaign, referrer and path; each `null` when unknown. */
export interface SessionEntry {
  source: string | null;
  medium: string | null;
  campaign: string | null;
  referrer: string | null;
  path: string | null;
}

export interface Session {
  sessionId: string;
  /** From `context.session`; for an inferred session, the previous one's on the device + 1. */
  sessionIndex: number | null;
  anonymousId: string | null;
  startedAt: string;
  /** Time of the session's last event. */
  endedAt: string;
  /** How many of the given events belong to it. */
  events: number;
  entry: SessionEntry;
  /** True when no event carried `context.session` and the collector drew the session itself. */
  inferred: boolean;
}

interface Building {
  session: Session;
  firstOrder: number;
  lastTime: number;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

/** The session a message declares, when its `context.session` has a usable `sessionId`. */
function declaredSession(message: StoredMessage): Record<string, unknown> | undefined {
  const session = record(record(message.context)?.session);
  return session && text(session.sessionId) !== null && String(session.sessionId).length <= 200 ? session : undefined;
}

interface Device {
  key: string;
  anonymousId: string | null;
}

/** The device a message happened on: its anonymous id (an alias's is its previousId), else its user. */
function deviceOf(message: StoredMessage): Device | undefined {
  const anonymousId = idOf(message.anonymousId) ?? (message.type === "alias" ? idOf(message.previousId) : undefined);
  if (anonymousId !== undefined) return { key: `a:${anonymousId}`, anonymousId };
  const userId = idOf(message.userId);
  return userId === undefined ? undefined : { key: `u:${userId}`, anonymousId: null };
}

function pathOf(message: StoredMessage): string | null {
  const page = record(record(message.context)?.page) ?? {};
  const path = text(page.path);
  if (path !== null) return path;
  if (typeof page.url === "string") {
    try {
      return new URL(page.url).pathname;
    } catch {
      /* not a URL: fall through */
    }
  }
  return message.type === "page" ? text(record(message.properties)?.path) : null;
}

function entryOf(message: StoredMessage): SessionEntry {
  return { ...touchOf(message), path: pathOf(message) };
}

/** UUID-shaped, from the device and the first event: the same events always give the same id. */
function derivedId(deviceKey: string, first: StoredMessage): string {
  const hex = createHash("sha256").update(`${deviceKey}\n${first.messageId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function iso(time: number): string {
  return new Date(time).toISOString();
}

export interface Sessionized {
  /** In start order. */
  sessions: Session[];
  /** The sessionId of each given message that has a device. */
  sessionOf: Map<StoredMessage, string>;
}

/** Groups `events` (any order) into sessions. */
export function sessionize(events: StoredMessage[]): Sessionized {
  // Sort is stable: events with the same time keep their arrival order.
  const ordered = events
    .map((message, order) => ({ message, order, time: eventTime(message) }))
    .sort((a, b) => a.time - b.time);
  const byId = new Map<string, Building>();
  const currentOf = new Map<string, Building>();
  const countOf = new Map<string, number>();
  const sessionOf = new Map<StoredMessage, string>();

  type Ordered = (typeof ordered)[number];
  const open = (
    sessionId: string,
    index: number | null,
    device: Device,
    event: Ordered,
    startedAt: number,
    inferred: boolean,
  ): Building => {
    const building: Building = {
      session: {
        sessionId,
        sessionIndex: index,
        anonymousId: device.anonymousId,
        startedAt: iso(startedAt),
        endedAt: iso(event.time),
        events: 0,
        entry: entryOf(event.message),
        inferred,
      },
      firstOrder: event.order,
      lastTime: event.time,
    };
    byId.set(sessionId, building);
    countOf.set(device.key, (countOf.get(device.key) ?? 0) + 1);
    return building;
  };

  for (const event of ordered) {
    const device = deviceOf(event.message);
    if (device === undefined) continue;
    const current = currentOf.get(device.key);
    const declared = declaredSession(event.message);
    let building: Building | undefined;
    if (declared) {
      const sessionId = String(declared.sessionId);
      building = byId.get(sessionId);
      if (!building) {
        const declaredIndex = declared.sessionIndex;
        const index =
          typeof declaredIndex === "number" && Number.isInteger(declaredIndex) && declaredIndex >= 1
            ? declaredIndex
            : null;
        const started = typeof declared.startedAt === "string" ? Date.parse(declared.startedAt) : NaN;
        // A start after the first event seen in it would make the visit end before it began.
        const startedAt = Number.isFinite(started) && started <= event.time ? started : event.time;
        building = open(sessionId, index, device, event, startedAt, false);
      }
    } else if (current && event.time - current.lastTime <= INACTIVITY_MS) {
      building = current;
    } else {
      const previousIndex = current?.session.sessionIndex;
      const index = typeof previousIndex === "number" ? previousIndex + 1 : (countOf.get(device.key) ?? 0) + 1;
      building = open(derivedId(device.key, event.message), index, device, event, event.time, true);
    }
    building.session.events += 1;
    building.lastTime = Math.max(building.lastTime, event.time);
    building.session.endedAt = iso(building.lastTime);
    sessionOf.set(event.message, building.session.sessionId);
    currentOf.set(device.key, building);
  }

  const sessions = [...byId.values()]
    .sort((a, b) => Date.parse(a.session.startedAt) - Date.parse(b.session.startedAt) || a.firstOrder - b.firstOrder)
    .map((building) => building.session);
  return { sessions, sessionOf };
}
