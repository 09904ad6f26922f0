import type { IncomingMessage, ServerResponse } from "node:http";
import { drain, HttpError, sendJson } from "./http.js";
import type { EventStore, RejectedMessage } from "./store.js";
import { sessionize, type Session } from "./sessions.js";
import { listUsers, stitchedEvents, userJourney } from "./stitch.js";
import { idOf, type StoredMessage } from "./validate.js";

/** `/dev/events` filters; each given one must match (AND). `limit` (an extra) keeps the last n. */
export function filterEvents(events: StoredMessage[], query: URLSearchParams): StoredMessage[] {
  const anonymousId = query.get("anonymousId");
  const userId = query.get("userId");
  const type = query.get("type");
  const sinceText = query.get("since");
  let since: number | undefined;
  if (sinceText) {
    since = Date.parse(sinceText);
    if (!Number.isFinite(since))
      throw new HttpError(400, "invalid_query", `since must be an ISO-8601 time, got "${sinceText}".`);
  }
  const limitText = query.get("limit");
  const limit = limitText === null ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new HttpError(400, "invalid_query", `limit must be a positive integer, got "${limitText}".`);
  }
  const matching = events.filter(
    (message) =>
      (!anonymousId || idOf(message.anonymousId) === anonymousId) &&
      (!userId || idOf(message.userId) === userId) &&
      (!type || message.type === type) &&
      (since === undefined || Date.parse(message.receivedAt) >= since),
  );
  // `limit` keeps the newest: the page asks for the last few on load, not the whole history.
  return limit === undefined ? matching : matching.slice(-limit);
}

/**
 * `/dev/sessions`: with `userId`, that user's stitched visits (the `sessions` of
 * `/dev/users/:userId`, an unknown user having none); with `anonymousId`, the visits on that
 * device; both combine (AND); neither lists every visit.
 */
export function listSessions(events: StoredMessage[], query: URLSearchParams): Session[] {
  const userId = query.get("userId");
  const anonymousId = query.get("anonymousId");
  const source = userId ? (stitchedEvents(events, userId)?.events ?? []) : events;
  const { sessions } = sessionize(source);
  return anonymousId ? sessions.filter((session) => session.anonymousId === anonymousId) : sessions;
}

/**
 * `/dev/rejected`: the newest rejected messages kept (all of them, or the last `limit`),
 * oldest first, and `omitted`: how many older ones this answer leaves out, whether the ring
 * no longer holds them or `limit` cut them. `rejected.length + omitted` is every rejection
 * since the start or the last reset.
 */
export function rejectedAnswer(
  store: EventStore,
  query: URLSearchParams,
): { rejected: RejectedMessage[]; omitted: number } {
  const limitText = query.get("limit");
  const limit = limitText === null ? undefined : Number(limitText);
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 0)) {
    throw new HttpError(400, "invalid_query", `limit must be a non-negative integer, got "${limitText}".`);
  }
  const kept = store.rejected;
  const shown = limit === undefined || limit >= kept.length ? kept : kept.slice(kept.length - limit);
  return { rejected: shown, omitted: store.rejectedDropped + kept.length - shown.length };
}

function requireMethod(req: IncomingMessage, method: string, path: string): void {
  if (req.method !== method)
    throw new HttpError(405, "method_not_allowed", `${path} takes ${method}.`, { Allow: method });
}

/** The inspection API under `/dev/`. Never touched by injected faults. */
export async function handleInspect(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  store: EventStore,
): Promise<void> {
  const path = url.pathname;
  if (path === "/dev/events") {
    requireMethod(req, "GET", path);
    return sendJson(res, 200, { events: filterEvents(store.events, url.searchParams) });
  }
  if (path === "/dev/rejected") {
    requireMethod(req, "GET", path);
    return sendJson(res, 200, rejectedAnswer(store, url.searchParams));
  }
  if (path === "/dev/sessions") {
    requireMethod(req, "GET", path);
    return sendJson(res, 200, { sessions: listSessions(store.events, url.searchParams) });
  }
  if (path === "/dev/users") {
    requireMethod(req, "GET", path);
    return sendJson(res, 200, { users: listUsers(store.events) });
  }
  if (path.startsWith("/dev/users/")) {
    requireMethod(req, "GET", path);
    let userId: string;
    try {
      userId = decodeURIComponent(path.slice("/dev/users/".length));
    } catch {
      throw new HttpError(400, "invalid_query", "The user id in the path is not valid percent-encoding.");
    }
    const journey = userJourney(store.events, userId);
    if (!journey) throw new HttpError(404, "user_not_found", `No message has userId "${userId}".`);
    return sendJson(res, 200, journey);
  }
  if (path === "/dev/reset") {
    requireMethod(req, "POST", path);
    await drain(req);
    store.reset();
    return sendJson(res, 200, { reset: true });
  }
  throw new HttpError(404, "not_found", `No endpoint at ${path}.`);
}
