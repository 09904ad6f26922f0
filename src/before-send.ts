import { ThreadlineError } from "./errors.js";
import type { SerializedMessage } from "./message.js";

/** A message as it will go on the wire: `type`, `messageId`, `timestamp`, ids, `context`, payload. */
export type OutgoingMessage = Record<string, unknown> & { type: string; messageId: string };

/**
 * One `beforeSend` step: return the message (changed or not) to send it, `null` to drop
 * it (`drop`, reason `before_send`). A throw rejects that one message with code
 * `before_send`; the caller never sees it.
 */
export type BeforeSend = (message: OutgoingMessage) => OutgoingMessage | null;

/** The steps of the `beforeSend` option, checked at construction; undefined when there are none. */
export function resolveBeforeSend(option: unknown): readonly BeforeSend[] | undefined {
  if (option === undefined) return undefined;
  const steps = Array.isArray(option) ? option : [option];
  steps.forEach((step, i) => {
    if (typeof step !== "function") {
      const where = Array.isArray(option) ? `beforeSend[${i}]` : "beforeSend";
      throw new ThreadlineError(
        "config",
        `Option \`${where}\` must be a function (message) => message | null, got ${step === null ? "null" : typeof step}`,
      );
    }
  });
  return steps.length === 0 ? undefined : Object.freeze(steps.slice() as BeforeSend[]);
}

/** The result of the steps: the message to queue, `null` when a step dropped it, or why it is rejected. */
export type BeforeSendResult = SerializedMessage | null | ThreadlineError;

function stepError(index: number, messageId: string, text: string, cause?: unknown): ThreadlineError {
  return new ThreadlineError("before_send", `beforeSend step ${index} ${text}; message ${messageId} not sent`, {
    cause,
    messageIds: [messageId],
  });
}

/**
 * Run the steps in order on a built message. Each run works on its own copy, parsed
 * back from the JSON the client already made, so a step may change anything in place
 * without touching the caller's objects (and sees exactly what would be sent: dates as
 * ISO text, `toJSON` applied). Only clients with `beforeSend` pay for this.
 */
export function runBeforeSend(
  steps: readonly BeforeSend[],
  built: SerializedMessage,
  maxMessageBytes: number,
): BeforeSendResult {
  let message = JSON.parse(built.json) as OutgoingMessage;
  for (let i = 0; i < steps.length; i++) {
    let result: unknown;
    try {
      result = steps[i]!(message);
    } catch (cause) {
      return stepError(i, built.messageId, `threw: ${(cause as Error)?.message ?? String(cause)}`, cause);
    }
    if (result === null) return null;
    if (result === undefined || typeof result !== "object" || Array.isArray(result)) {
      return stepError(
        i,
        built.messageId,
        `returned ${result === undefined ? "undefined" : typeof result} (return the message, or null to drop it)`,
      );
    }
    message = result as OutgoingMessage;
  }
  const messageId =
    typeof message.messageId === "string" && message.messageId !== "" ? message.messageId : built.messageId;
  let json: string;
  try {
    json = JSON.stringify({ ...message, messageId });
  } catch (cause) {
    return stepError(
      steps.length - 1,
      built.messageId,
      `returned a message that cannot be serialized: ${(cause as Error)?.message ?? String(cause)}`,
      cause,
    );
  }
  const bytes = Buffer.byteLength(json);
  if (bytes > maxMessageBytes) {
    return new ThreadlineError(
      "message_too_large",
      `${message.type} message ${messageId} is ${bytes} bytes after beforeSend, more than maxMessageBytes (${maxMessageBytes})`,
      {
        messageIds: [messageId],
      },
    );
  }
  return { json, bytes, messageId };
}
