import { Analytics } from "./analytics.js";
import { ThreadlineError } from "./errors.js";
import type { Options } from "./options.js";
import type { CloseOptions } from "./analytics.js";
import { invoke } from "./outcome.js";
import type {
  AliasMessage,
  Callback,
  FlushOptions,
  FlushResult,
  GroupMessage,
  IdentifyMessage,
  PageMessage,
  ScreenMessage,
  TrackMessage,
} from "./types.js";
import { StderrWarner } from "./warn.js";

let client: Analytics | undefined;
const warner = new StderrWarner();

/**
 * Configures the default client behind the module-level functions. Calling it again
 * replaces that client; the old one is closed (and so flushed) in the background.
 * @throws ThreadlineError with code `config` when an option is invalid.
 */
export function init(options: Options = {}): Analytics {
  const next = new Analytics(options);
  const previous = client;
  client = next;
  if (previous !== undefined) void previous.close();
  return next;
}

/** The default client, created on first use from THREADLINE_HOST / THREADLINE_WRITE_KEY unless `init()` ran. */
export function defaultClient(): Analytics {
  return (client ??= new Analytics());
}

/** Runs a call on the default client; a configuration problem is reported, never thrown into the caller. */
function withDefault(callback: Callback | undefined, call: (analytics: Analytics) => void): void {
  let analytics: Analytics;
  try {
    analytics = defaultClient();
  } catch (cause) {
    const error = cause instanceof ThreadlineError ? cause : new ThreadlineError("config", String(cause), { cause });
    if (typeof callback === "function") queueMicrotask(() => invoke(callback, error));
    warner.warn(error);
    return;
  }
  call(analytics);
}

export function identify(message: IdentifyMessage, callback?: Callback): void {
  withDefault(callback, (analytics) => analytics.identify(message, callback));
}
export function track(message: TrackMessage, callback?: Callback): void {
  withDefault(callback, (analytics) => analytics.track(message, callback));
}
export function page(message: PageMessage, callback?: Callback): void {
  withDefault(callback, (analytics) => analytics.page(message, callback));
}
export function screen(message: ScreenMessage, callback?: Callback): void {
  withDefault(callback, (analytics) => analytics.screen(message, callback));
}
export function group(message: GroupMessage, callback?: Callback): void {
  withDefault(callback, (analytics) => analytics.group(message, callback));
}
export function alias(message: AliasMessage, callback?: Callback): void {
  withDefault(callback, (analytics) => analytics.alias(message, callback));
}

const nothing = (): FlushResult => ({ delivered: 0, failed: 0, dropped: 0, pending: 0 });

/** Flushes the default client (nothing to do if none was created); see `Analytics.flush`. */
export function flush(options?: FlushOptions): Promise<FlushResult> {
  return client === undefined ? Promise.resolve(nothing()) : client.flush(options);
}

/** Closes the default client; the next module-level call creates a fresh one. */
export function close(options?: CloseOptions): Promise<FlushResult> {
  if (client === undefined) return Promise.resolve(nothing());
  const closing = client.close(options);
  client = undefined;
  return closing;
}
