import { touchOf, type FirstTouch } from "./campaign.js";
import { sessionize, type Session } from "./sessions.js";
import { eventTime } from "./time.js";

// Where it was defined first; sessions.ts needs it too without importing the stitcher.
export { eventTime } from "./time.js";
import { idOf, type StoredMessage } from "./validate.js";

/*
 * Identity stitching at query time: history is never rewritten. A user is joined to the
 * anonymous ids it was seen with, and the journey is recomputed from the raw events on
 * every request, so a late identify or alias re-threads earlier anonymous events.
 */

export interface UserSummary {
  userId: string;
  anonymousIds: string[];
  events: number;
  devices: number;
}

/** A journey's event, marked with its phase and the session (visit) it belongs to. */
export type JourneyEvent = StoredMessage & { phase: "anonymous" | "known"; sessionId: string };

export interface UserJourney {
  userId: string;
  anonymousIds: string[];
  devices: number;
  identifiedAt: string | null;
  firstTouch: FirstTouch | null;
  /** The user's visits on every device, in start order. */
  sessions: Session[];
  events: JourneyEvent[];
}

/**
 * Each user's anonymous ids; users in order of first arrival, each user's ids in order of
 * the device's earliest activity, so "device 1" is the one the visitor came in on.
 */
function anonymousIdsByUser(events: StoredMessage[]): Map<string, Set<string>> {
  const firstSeen = new Map<string, number>();
  const see = (id: string | undefined, time: number): void => {
    if (id === undefined) return;
    const known = firstSeen.get(id);
    if (known === undefined || time < known) firstSeen.set(id, time);
  };
  const links = new Map<string, Set<string>>();
  const link = (userId: string, anonymousId: string | undefined): void => {
    let ids = links.get(userId);
    if (!ids) links.set(userId, (ids = new Set()));
    if (anonymousId !== undefined) ids.add(anonymousId);
  };
  for (const message of events) {
    const time = eventTime(message);
    see(idOf(message.anonymousId), time);
    if (message.type === "alias") see(idOf(message.previousId), time);
    const userId = idOf(message.userId);
    if (userId === undefined) continue;
    link(userId, idOf(message.anonymousId));
    if (message.type === "alias") link(userId, idOf(message.previousId));
  }
  for (const [userId, ids] of links) {
    // Sort is stable: devices first seen at the same moment keep their link order.
    links.set(userId, new Set([...ids].sort((a, b) => firstSeen.get(a)! - firstSeen.get(b)!)));
  }
  return links;
}

/**
 * The user's events: all with its `userId`, plus the ones with no `userId` from its
 * anonymous ids. A known event of someone else on a shared device stays theirs.
 */
function eventsOfUser(events: StoredMessage[], userId: string, anonymousIds: Set<string>): StoredMessage[] {
  return events.filter((message) => {
    const messageUser = idOf(message.userId);
    if (messageUser !== undefined) return messageUser === userId;
    const anonymousId = idOf(message.anonymousId);
    return anonymousId !== undefined && anonymousIds.has(anonymousId);
  });
}

/** Every user with its event count; one pass over the events, as the page polls this. */
export function listUsers(events: StoredMessage[]): UserSummary[] {
  const knownCount = new Map<string, number>();
  const anonymousCount = new Map<string, number>();
  for (const message of events) {
    const userId = idOf(message.userId);
    const anonymousId = idOf(message.anonymousId);
    if (userId !== undefined) knownCount.set(userId, (knownCount.get(userId) ?? 0) + 1);
    else if (anonymousId !== undefined) anonymousCount.set(anonymousId, (anonymousCount.get(anonymousId) ?? 0) + 1);
  }
  return [...anonymousIdsByUser(events)].map(([userId, ids]) => {
    let count = knownCount.get(userId) ?? 0;
    for (const id of ids) count += anonymousCount.get(id) ?? 0;
    return { userId, anonymousIds: [...ids], events: count, devices: ids.size };
  });
}

/** One user's stitched events in time order and its anonymous ids, or undefined for a user never seen. */
export function stitchedEvents(
  events: StoredMessage[],
  userId: string,
): { anonymousIds: Set<string>; events: StoredMessage[] } | undefined {
  const ids = anonymousIdsByUser(events).get(userId);
  if (!ids) return undefined;
  // Array sort is stable, so events with the same time keep their arrival order.
  return { anonymousIds: ids, events: eventsOfUser(events, userId, ids).sort((a, b) => eventTime(a) - eventTime(b)) };
}

/** The stitched journey of one user in time order, or undefined for a user never seen. */
export function userJourney(events: StoredMessage[], userId: string): UserJourney | undefined {
  const stitched = stitchedEvents(events, userId);
  if (!stitched) return undefined;
  const { anonymousIds: ids, events: ordered } = stitched;
  const { sessions, sessionOf } = sessionize(ordered);
  const identify = ordered.find((message) => message.type === "identify" && idOf(message.userId) === userId);
  const firstKnown = identify ?? ordered.find((message) => idOf(message.userId) === userId);
  return {
    userId,
    anonymousIds: [...ids],
    devices: ids.size,
    identifiedAt: firstKnown ? new Date(eventTime(firstKnown)).toISOString() : null,
    firstTouch: ordered.length > 0 ? touchOf(ordered[0]!) : null,
    sessions,
    events: ordered.map((message) => ({
      ...message,
      phase: idOf(message.userId) === undefined ? "anonymous" : "known",
      sessionId: sessionOf.get(message)!,
    })),
  };
}
