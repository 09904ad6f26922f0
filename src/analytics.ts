import { inspect, type InspectOptions } from "node:util";
import { Batcher } from "./batcher.js";
import { runBeforeSend } from "./before-send.js";
import { EarlyDrops, REPORT_DROP } from "./early-drops.js";
import { TypedEmitter } from "./emitter.js";
import { ThreadlineError } from "./errors.js";
import { buildMessage } from "./message.js";
import { invoke } from "./outcome.js";
import { hideWriteKey, shownOptions } from "./redact.js";
import { resolveOptions, type Options, type ResolvedOptions } from "./options.js";
import { applyConsent, NOT_SENT } from "./consent-filter.js";
import { currentScope, fillFromScope } from "./scope.js";
import type {
  AliasMessage,
  Callback,
  FlushOptions,
  FlushResult,
  GroupMessage,
  IdentifyMessage,
  MessageType,
  PageMessage,
  ScreenMessage,
  TrackMessage,
} from "./types.js";
import { createTransport } from "./transport.js";
import { reasonOf } from "./walk.js";
import { noticeOnce, StderrWarner } from "./warn.js";

export interface CloseOptions {
  /** Resolve by this deadline at the latest, abandoning what is still unconfirmed. @default 10000 */
  timeoutMs?: number | undefined;
}

/** `closeAndFlush()`'s options, under `@segment/analytics-node`'s name. */
export interface CloseAndFlushOptions {
  /** Milliseconds; the same as `close({ timeoutMs })`. @default 10000 */
  timeout?: number | undefined;
}

const CLOSE_TIMEOUT_MS = 10_000;
const NOTHING: FlushResult = Object.freeze({ delivered: 0, failed: 0, dropped: 0, pending: 0 });

/** The `messageId` a caller gave, for a `drop` event about a call that was never built. */
function messageIdOf(input: unknown): string | undefined {
  const id = input !== null && typeof input === "object" ? (input as { messageId?: unknown }).messageId : undefined;
  return typeof id === "string" && id !== "" ? id : undefined;
}

/**
 * One tracking client. Calls validate and queue a message and return at once; they
 * never throw. Delivery happens in batches in the background; `flush()` waits for it.
 */
export class Analytics extends TypedEmitter {
  /** The options in force, defaults filled in. */
  readonly options: Readonly<ResolvedOptions>;
  private readonly batcher: Batcher | undefined;
  private readonly warner = new StderrWarner();
  private closing: Promise<FlushResult> | undefined;
  private readonly earlyDrops = new EarlyDrops((event) => this.emit("drop", event));

  /** @throws ThreadlineError with code `config` when an option is invalid. */
  constructor(options: Options = {}) {
    super();
    this.options = Object.freeze(hideWriteKey(resolveOptions(options)));
    if (!this.options.disable) {
      this.batcher = new Batcher(this.options, createTransport(this.options), {
        delivered: (event) => this.emit("delivered", event),
        retry: (event) => this.emit("retry", event),
        dropped: (event, error) => {
          this.emit("drop", event);
          this.reportError(error);
        },
        failed: (error) => this.reportError(error),
      });
    }
  }

  /** Who the user is, with their traits. Needs `userId` or `anonymousId`. */
  identify(message: IdentifyMessage, callback?: Callback): void {
    this.accept("identify", message, callback);
  }

  /** Something the user did: `event` plus `properties`. */
  track(message: TrackMessage, callback?: Callback): void {
    this.accept("track", message, callback);
  }

  /** A page view. */
  page(message: PageMessage, callback?: Callback): void {
    this.accept("page", message, callback);
  }

  /** A screen view in an app. */
  screen(message: ScreenMessage, callback?: Callback): void {
    this.accept("screen", message, callback);
  }

  /** Ties the user to a group (account, company). Needs `groupId`. */
  group(message: GroupMessage, callback?: Callback): void {
    this.accept("group", message, callback);
  }

  /** Merges two identities: `previousId` becomes `userId`. */
  alias(message: AliasMessage, callback?: Callback): void {
    this.accept("alias", message, callback);
  }

  /**
   * Resolves once every message accepted before this call is delivered or has
   * definitively failed, or at `timeoutMs` with what is left counted as `pending` (it
   * stays queued, with its retries, for the next flush). Never rejects for delivery
   * failures; a serverless handler awaits `flush({ timeoutMs })`.
   */
  flush(options: FlushOptions = {}): Promise<FlushResult> {
    const timeoutMs = options?.timeoutMs;
    if (timeoutMs !== undefined && (typeof timeoutMs !== "number" || !(timeoutMs >= 0))) {
      return Promise.reject(
        new ThreadlineError("config", `flush({ timeoutMs }) needs a number >= 0, got ${String(timeoutMs)}`),
      );
    }
    if (this.batcher === undefined || this.closing !== undefined) return Promise.resolve({ ...NOTHING });
    return this.batcher.flush(timeoutMs);
  }

  /**
   * Stops timers, delivers what is queued and waits for requests in flight, resolving
   * by `timeoutMs` at the latest; what is still unconfirmed then counts as failed.
   * Later calls are reported with code `closed`.
   */
  close(options: CloseOptions = {}): Promise<FlushResult> {
    if (this.closing !== undefined) return this.closing;
    // `close(null)` is a bad argument, not a TypeError thrown at shutdown.
    const timeoutMs = options?.timeoutMs ?? CLOSE_TIMEOUT_MS;
    if (typeof timeoutMs !== "number" || !(timeoutMs >= 0)) {
      return Promise.reject(
        new ThreadlineError("config", `close({ timeoutMs }) needs a number >= 0, got ${String(timeoutMs)}`),
      );
    }
    const batcher = this.batcher;
    if (batcher === undefined) return (this.closing = Promise.resolve({ ...NOTHING }));
    batcher.stopTimers();
    return (this.closing = batcher.drain(timeoutMs, "close()").then((result) => {
      batcher.destroy();
      return result;
    }));
  }

  /** `@segment/analytics-node`'s name for {@link close}: `timeout` is `timeoutMs`. */
  closeAndFlush(options: CloseAndFlushOptions = {}): Promise<FlushResult> {
    return this.close({ timeoutMs: options?.timeout });
  }

  /** What JSON.stringify shows: the host and options, the write key redacted. */
  toJSON(): { host: string; options: Record<string, unknown>; pending: number } {
    return { host: this.options.host, options: shownOptions(this.options), pending: this.pending };
  }

  /** What console.log and util.inspect show: the same as toJSON(), never the key or the Authorization header. */
  [inspect.custom](_depth: number, inspectOptions: InspectOptions): string {
    return `Analytics ${inspect(this.toJSON(), inspectOptions)}`;
  }

  /** A call the request's consent kept from being sent (the identity middleware reports it here). */
  [REPORT_DROP](
    reason: "consent" | "before_send",
    messageId: string | undefined,
    callback: Callback | undefined,
  ): void {
    this.earlyDrops.add(reason, messageId, callback);
  }

  /** Messages held right now, queued or in flight. */
  get pending(): number {
    return this.batcher?.held ?? 0;
  }

  private accept(type: MessageType, input: unknown, callback: Callback | undefined): void {
    if (callback !== undefined && typeof callback !== "function") callback = undefined;
    // buildMessage is total; this guard keeps the promise should anything around it
    // break (e.g. a step that copies the caller's object first). The input is then read
    // once more by buildMessage alone, which names the field at fault when it is one.
    try {
      this.acceptChecked(type, input, callback);
    } catch (cause) {
      const named = buildMessage(type, input, this.options.maxMessageBytes);
      const error =
        named instanceof ThreadlineError
          ? named
          : new ThreadlineError("invalid_message", `${type}() could not be accepted (${reasonOf(cause)})`, { cause });
      this.reject(error, callback);
    }
  }

  private acceptChecked(type: MessageType, input: unknown, callback: Callback | undefined): void {
    if (this.closing !== undefined) {
      this.reject(
        new ThreadlineError("closed", `${type}() after close(): the client no longer accepts messages`),
        callback,
      );
      return;
    }
    // Inside a request scope (or withContext) the call gets the visitor's ids and context,
    // and is sent only as far as the visitor's consent allows.
    const scoped = fillFromScope(type, input);
    const allowed = applyConsent(type, scoped, currentScope()?.consent);
    if (allowed === NOT_SENT) return this.earlyDrops.add("consent", messageIdOf(scoped), callback);
    let built = buildMessage(type, allowed, this.options.maxMessageBytes);
    if (this.options.beforeSend !== undefined && !(built instanceof ThreadlineError)) {
      const kept = runBeforeSend(this.options.beforeSend, built, this.options.maxMessageBytes);
      if (kept === null) return this.earlyDrops.add("before_send", built.messageId, callback);
      built = kept;
    }
    if (built instanceof ThreadlineError) {
      this.reject(built, callback);
      return;
    }
    if (this.batcher === undefined) {
      if (callback !== undefined) queueMicrotask(() => invoke(callback, undefined));
      return;
    }
    if (this.options.usingDevCollector) {
      noticeOnce(
        "dev-collector",
        `no host configured, sending to the local dev collector at ${this.options.host} (start it with \`npx threadline dev\`; set THREADLINE_HOST or \`host\` for a real one)`,
      );
    }
    this.batcher.enqueue(built.json, built.messageId, built.bytes, callback);
  }

  /**
   * A call refused up front. Its callback and the `error` event hear why on the next
   * microtask, like any outcome: a throwing listener then cannot throw into the
   * caller's request path, and a listener added right after the call still hears it.
   */
  private reject(error: ThreadlineError, callback: Callback | undefined): void {
    queueMicrotask(() => {
      if (callback !== undefined) invoke(callback, error);
      this.reportError(error);
    });
  }

  private reportError(error: ThreadlineError): void {
    if (this.listenerCount("error") > 0) this.emit("error", error);
    else this.warner.warn(error);
  }
}
