import type { IncomingMessage, ServerResponse } from "node:http";
import { randomUUID, timingSafeEqual } from "node:crypto";
import { nestsDeeperThan } from "./depth.js";
import { checkJsonContentType } from "./guard.js";
import { basicAuthUser, HttpError, readBody, sendJson } from "./http.js";
import { COLLECTOR_DEFAULTS } from "./options.js";
import type { EventStore, RejectedMessage } from "./store.js";
import { MESSAGE_TYPES, rejectionReason, type StoredMessage } from "./validate.js";

export interface IngestResult {
  accepted: number;
  rejected: number;
  duplicates: number;
}

function sameKey(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * 401 unless the request carries the write key as Segment sends it (the Basic username).
 * `challenge: false` leaves out `WWW-Authenticate`, so a browser's fetch from the page gets
 * the 401 itself (and the page asks for the key) instead of the browser's login dialog.
 */
export function checkWriteKey(req: IncomingMessage, writeKey: string | undefined, challenge = true): void {
  if (writeKey === undefined) return;
  if (!sameKey(basicAuthUser(req.headers.authorization), writeKey)) {
    const headers: Record<string, string> = challenge ? { "WWW-Authenticate": 'Basic realm="threadline dev"' } : {};
    throw new HttpError(
      401,
      "unauthorized",
      'A write key is required: send Authorization: Basic base64(writeKey + ":").',
      headers,
    );
  }
}

/** The messages of a request body, or a 400 when the body is not JSON or of the wrong shape. */
export function messagesOf(text: string, path: string): unknown[] {
  if (nestsDeeperThan(text, COLLECTOR_DEFAULTS.maxBodyDepth)) {
    throw new HttpError(
      400,
      "too_deep",
      `The request body nests arrays and objects deeper than ${COLLECTOR_DEFAULTS.maxBodyDepth} levels.`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid_json", "The request body is not valid JSON.");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new HttpError(400, "invalid_body", "The request body must be a JSON object.");
  }
  const record = body as Record<string, unknown>;
  if (path === "/v1/batch") {
    if (!Array.isArray(record.batch))
      throw new HttpError(400, "invalid_body", 'The body of /v1/batch must be {"batch":[message, ...]}.');
    return record.batch;
  }
  // A single-call path names the type; a body that claims another one is refused per message.
  const type = path.slice("/v1/".length);
  return [{ ...record, type: record.type ?? type }];
}

export function isIngestPath(path: string): boolean {
  return path === "/v1/batch" || (MESSAGE_TYPES as readonly string[]).some((type) => path === `/v1/${type}`);
}

/**
 * Sorts messages into accepted, rejected (with a reason) and duplicates (a `messageId`
 * already stored, or repeated within this batch), then stores the accepted ones.
 */
export function ingestMessages(
  messages: unknown[],
  path: string,
  store: EventStore,
): { result: IngestResult; accepted: StoredMessage[] } {
  const receivedAt = new Date().toISOString();
  const accepted: StoredMessage[] = [];
  const rejected: RejectedMessage[] = [];
  const idsInBatch = new Set<string>();
  let duplicates = 0;
  const singleType = path === "/v1/batch" ? undefined : path.slice("/v1/".length);
  for (const message of messages) {
    let reason = rejectionReason(message);
    const record = message as Record<string, unknown>;
    if (!reason && singleType !== undefined && record.type !== singleType)
      reason = `type "${String(record.type)}" does not match ${path}`;
    if (reason) {
      rejected.push({ reason, message });
      continue;
    }
    // The client always sends one; a hand-written message without one still gets stored once.
    const messageId = (record.messageId as string | undefined) ?? randomUUID();
    if (store.hasSeen(messageId) || idsInBatch.has(messageId)) {
      duplicates += 1;
      continue;
    }
    idsInBatch.add(messageId);
    accepted.push({ ...record, messageId, receivedAt } as StoredMessage);
  }
  store.append(accepted);
  store.reject(rejected);
  return { result: { accepted: accepted.length, rejected: rejected.length, duplicates }, accepted };
}

/** `POST /v1/batch` and `POST /v1/{type}`: auth, body, per-message checks, store, answer. */
export async function handleIngest(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  context: {
    store: EventStore;
    writeKey?: string;
    bodyTimeoutMs: number;
    onAccepted: (messages: StoredMessage[]) => void;
  },
): Promise<void> {
  if (!isIngestPath(path))
    throw new HttpError(
      404,
      "not_found",
      `No ingest endpoint at ${path}; use /v1/batch or /v1/{${MESSAGE_TYPES.join(",")}}.`,
    );
  if (req.method !== "POST")
    throw new HttpError(405, "method_not_allowed", `${path} takes POST.`, { Allow: "POST, OPTIONS" });
  checkWriteKey(req, context.writeKey);
  checkJsonContentType(req);
  const text = await readBody(req, COLLECTOR_DEFAULTS.maxBodyBytes, context.bodyTimeoutMs);
  const messages = messagesOf(text, path);
  let outcome: ReturnType<typeof ingestMessages>;
  try {
    outcome = ingestMessages(messages, path, context.store);
  } catch (error) {
    throw new HttpError(
      500,
      "storage_failed",
      `Could not append to ${context.store.file}: ${(error as Error).message}`,
    );
  }
  sendJson(res, 200, outcome.result);
  context.onAccepted(outcome.accepted);
}
