import { ThreadlineError } from "./errors.js";
import type { Callback } from "./types.js";

/** One error for a group of messages, naming how many and which. */
export function withIds(error: ThreadlineError, messageIds: string[]): ThreadlineError {
  return new ThreadlineError(error.code, `${error.message} (${messageIds.length} message${messageIds.length === 1 ? "" : "s"})`, { messageIds });
}

/** A callback that throws is the caller's bug: surface it like any uncaught error, not inside our bookkeeping. */
export function invoke(callback: Callback, error: ThreadlineError | undefined): void {
  try {
    if (error === undefined) callback();
    else callback(error);
  } catch (thrown) {
    queueMicrotask(() => {
      throw thrown;
    });
  }
}
