import { ThreadlineError } from "./errors.js";
import type { Callback } from "./types.js";
import { callAppCode } from "./warn.js";

/** One error for a group of messages, naming how many and which. */
export function withIds(error: ThreadlineError, messageIds: string[]): ThreadlineError {
  return new ThreadlineError(
    error.code,
    `${error.message} (${messageIds.length} message${messageIds.length === 1 ? "" : "s"})`,
    { messageIds },
  );
}

/** A callback that throws is the caller's bug: reported on stderr, never inside our bookkeeping or the caller's path. */
export function invoke(callback: Callback, error: ThreadlineError | undefined): void {
  callAppCode("a call's callback", callback as (error: ThreadlineError | undefined) => unknown, error);
}
