import type { MessageType } from "./types.js";
import { isPlainObject } from "./contract.js";

/** A visitor's consent level (see `consent` in the middleware options). */
export type ConsentLevel = "full" | "anonymous" | "none";

/** Calls that only make sense about a known person: not sent under `anonymous`. */
const PERSONAL: ReadonlySet<MessageType> = new Set<MessageType>(["identify", "alias"]);

/** What {@link applyConsent} answers for a call that must not be sent (a null call is the builder's to reject). */
export const NOT_SENT: unique symbol = Symbol("threadline.consent.notSent");

/**
 * A call as the visitor's consent allows it, or {@link NOT_SENT} when it must not be sent.
 * `none`: nothing is sent. `anonymous` (Snowplow's "anonymisation with session
 * tracking"): no `identify` or `alias`; `userId`, `traits` and `context.ip` removed
 * whoever set them; `context.consent = "anonymous"`. The caller's object is copied,
 * never changed. A call that is not an object is left for the builder to reject.
 */
export function applyConsent(type: MessageType, input: unknown, level: ConsentLevel | undefined): unknown {
  if (level === undefined || level === "full") return input;
  if (level === "none" || PERSONAL.has(type)) return NOT_SENT;
  if (!isPlainObject(input)) return input;
  const { userId: _userId, traits: _traits, ...rest } = input;
  const given = rest.context;
  if (given === undefined || given === null) {
    rest.context = { consent: "anonymous" };
  } else if (isPlainObject(given)) {
    const { ip: _ip, ...context } = given;
    context.consent = "anonymous";
    rest.context = context;
  }
  return rest;
}
