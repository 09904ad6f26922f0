/**
 * The adapters' way to the default client without loading it at import time: the
 * identity core imports no client implementation, so `threadline/express` alone does not
 * load the batcher and its transport. A middleware created without `analytics` starts
 * loading the default client in the background; calls made before it is there (only
 * possible in the first moments after `threadline()`) wait in order and go out once it
 * is, already filled in by the request-scoped client.
 */
import type { Tracker, TrackerSource } from "./identity/types.js";

type DefaultClientModule = typeof import("./default-client.js");
type CallName = keyof Tracker;

let loaded: DefaultClientModule | undefined;
let loading: Promise<void> | undefined;
let waiting: Array<[CallName, unknown, unknown]> = [];

function load(): void {
  loading ??= import("./default-client.js").then(
    (module) => {
      loaded = module;
      const calls = waiting;
      waiting = [];
      // The module-level functions report a missing client themselves, never throwing.
      for (const [name, message, callback] of calls)
        (module[name] as (m: unknown, c?: unknown) => void)(message, callback);
    },
    (error: unknown) => {
      process.emitWarning(`threadline middleware: could not load the default client (${String(error)})`, {
        code: "THREADLINE_CONFIG",
      });
    },
  );
}

const deferred: Tracker = Object.fromEntries(
  (["identify", "track", "page", "screen", "group", "alias"] as const).map((name) => [
    name,
    (message: unknown, callback?: unknown) => {
      if (loaded !== undefined) (loaded[name] as (m: unknown, c?: unknown) => void)(message, callback);
      else waiting.push([name, message, callback]);
    },
  ]),
) as unknown as Tracker;

/**
 * The default client for an identity core, looked up at each call so a later `init()`
 * takes effect (`get` throws as `defaultClient()` does). `load` is called only by a core
 * that has no `analytics` of its own.
 */
export const defaultTracker: TrackerSource = {
  load,
  get: () => (loaded !== undefined ? loaded.defaultClient() : deferred),
};
