/**
 * The request scope: one `AsyncLocalStorage` that every threadline client consults
 * before it builds a message, so code with no `req` in sight (a `createUser()` deep in
 * the app calling the module-level `identify`) still lands on the visitor's thread.
 *
 * This file is core: it knows no framework and no client. The identity middleware puts
 * its request-scoped client in here as the scope; `withContext` puts a plain one.
 */
import { AsyncLocalStorage } from "node:async_hooks";
// The client's own test of a JSON object: a Map, a class instance or a Proxy is passed on
// as given, for the client to refuse, not copied into something it would accept.
import { isPlainObject } from "./contract.js";
import { ThreadlineError } from "./errors.js";
import type { ConsentLevel } from "./consent-filter.js";
import type { MessageType } from "./types.js";

/** What a scope holds, as `withContext` takes it and `captureContext` returns it (JSON-safe). */
export interface ScopeContext {
  /** Filled into calls that give no `anonymousId` (and into `alias` as `previousId`). */
  anonymousId?: string;
  /** Filled into calls that give no `userId`. */
  userId?: string;
  /** Merged under each call's own `context` (the call's fields win; `page` and `campaign` merge field by field). */
  context?: Record<string, unknown>;
}

/**
 * A live scope. The identity middleware's request client is one, so the scope and
 * `req.analytics` are one state: an `identify` through either binds `userId` for both.
 */
export interface Scope {
  readonly anonymousId: string | undefined;
  readonly userId: string | undefined;
  /** The context every call of the scope shares (read-only; built on first use). */
  scopeContext(): Record<string, unknown> | undefined;
  /** The visitor's consent level (`anonymous` strips, `none` drops); undefined is `full`. */
  readonly consent?: ConsentLevel | undefined;
  /** An `identify` / `alias` with a `userId` ran in this scope: later calls carry it. */
  bindUserId(userId: string): void;
}

// One store per process, not per copy of this module: an app that loads threadline as
// both ESM and CommonJS (or two copies of it) must still see one scope.
const STORE_KEY = Symbol.for("threadline.scope.v1");
const holder = globalThis as { [STORE_KEY]?: AsyncLocalStorage<Scope> };
const storage: AsyncLocalStorage<Scope> = (holder[STORE_KEY] ??= new AsyncLocalStorage<Scope>());

/** The innermost scope the caller runs in, if any. */
export function currentScope(): Scope | undefined {
  return storage.getStore();
}

/**
 * The innermost scope, or one it is nested in, that `match` accepts for `subject` (an
 * adapter finding its request's). `subject` is passed through so `match` can be one
 * module-level function rather than a closure made per request.
 */
export function findScope<S extends Scope, T>(
  match: (scope: Scope, subject: T) => scope is S,
  subject: T,
): S | undefined {
  for (
    let scope = storage.getStore();
    scope !== undefined;
    scope = scope instanceof ContextScope ? scope.parent : undefined
  ) {
    if (match(scope, subject)) return scope;
  }
  return undefined;
}

/** Run `fn` with `scope` as the current scope (the adapters' entry point). */
export function runInScope<R>(scope: Scope, fn: () => R): R {
  return storage.run(scope, fn);
}

const isMissing = (value: unknown): boolean => value === undefined || value === null || value === "";

/**
 * `base` under `own`: own fields win, and its `page` / `campaign` objects are laid
 * over base's field by field rather than replacing them. Returns `base` itself when
 * there is nothing of the caller's to merge (shared read-only; the client copies it
 * when it stamps `context.library`).
 */
export function mergeContextUnder(
  base: Record<string, unknown>,
  own: Record<string, unknown> | undefined | null,
): Record<string, unknown> {
  if (own === undefined || own === null || own === base) return base;
  const merged: Record<string, unknown> = { ...base, ...own };
  for (const key of ["page", "campaign"]) {
    const mine = base[key];
    const theirs = own[key];
    if (isPlainObject(mine) && isPlainObject(theirs)) merged[key] = { ...mine, ...theirs };
  }
  return merged;
}

/**
 * A call's fields filled from the current scope: `anonymousId` (for `alias`,
 * `previousId`), the bound `userId`, the scope's `context` under the call's own. The
 * caller's fields always win and the caller's object is never mutated: a copy is made
 * only when something is filled. Outside a scope the input comes back as is.
 */
export function fillFromScope(type: MessageType, input: unknown): unknown {
  const scope = storage.getStore();
  if (scope === undefined || !isPlainObject(input)) return input;
  const anonymousId = scope.anonymousId;
  const userId = scope.userId;
  const context = scope.scopeContext();
  const idField = type === "alias" ? "previousId" : "anonymousId";
  const fillId = anonymousId !== undefined && isMissing(input[idField]);
  const fillUser = userId !== undefined && isMissing(input.userId);
  const given = input.context;
  // A context that is not an object is left for the message builder to reject.
  const fillContext =
    context !== undefined && given !== context && (given === undefined || given === null || isPlainObject(given));

  let filled = input;
  if (fillId || fillUser || fillContext) {
    filled = { ...input };
    if (fillId) filled[idField] = anonymousId;
    if (fillUser) filled.userId = userId;
    if (fillContext) filled.context = mergeContextUnder(context, given as Record<string, unknown> | undefined);
  }
  if (type === "identify" || type === "alias") {
    const bound = filled.userId;
    if (!isMissing(bound) && (typeof bound === "string" || typeof bound === "number")) scope.bindUserId(String(bound));
  }
  return filled;
}

/** A scope of the app's own (`withContext`): its fields, else the enclosing scope's. */
class ContextScope implements Scope {
  private bound: string | undefined;
  private merged: Record<string, unknown> | undefined;

  constructor(
    readonly parent: Scope | undefined,
    private readonly own: ScopeContext,
  ) {}

  get anonymousId(): string | undefined {
    return this.own.anonymousId ?? this.parent?.anonymousId;
  }

  get userId(): string | undefined {
    return this.bound ?? this.own.userId ?? this.parent?.userId;
  }

  /** A scope of the app's own inside a request keeps the request's consent. */
  get consent(): ConsentLevel | undefined {
    return this.parent?.consent;
  }

  scopeContext(): Record<string, unknown> | undefined {
    if (this.merged !== undefined) return this.merged;
    const outer = this.parent?.scopeContext();
    const own = this.own.context;
    if (outer === undefined) return (this.merged = own);
    return (this.merged = mergeContextUnder(outer, own));
  }

  bindUserId(userId: string): void {
    this.bound = userId;
  }
}

function scopeError(message: string): ThreadlineError {
  return new ThreadlineError("config", `withContext: ${message}`);
}

function idField(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  throw scopeError(`\`${name}\` must be a string or number, got ${typeof value}`);
}

/**
 * Run `fn` in a scope of your own — a queue worker, a cron job, a CLI — and return what
 * `fn` returns. Every threadline call inside (module-level or on any `Analytics`) is
 * filled from it as in a request. Scopes nest: the inner one's fields win, and it
 * inherits the outer one's it does not give.
 *
 *     withContext(job.threadline, async () => { await sendWelcomeMail(user); track({ event: "Welcome Sent" }); });
 *
 * @throws ThreadlineError `config` when the scope is not an object or an id is not a string or number.
 */
export function withContext<R>(scope: ScopeContext | undefined, fn: () => R): R {
  if (typeof fn !== "function") throw scopeError("the second argument must be a function");
  if (scope !== undefined && scope !== null && !isPlainObject(scope))
    throw scopeError("the scope must be an object such as captureContext() returns");
  const given = scope ?? {};
  const context = given.context;
  if (context !== undefined && context !== null && !isPlainObject(context))
    throw scopeError("`context` must be a plain object");
  const own: ScopeContext = {};
  const anonymousId = idField(given.anonymousId, "anonymousId");
  const userId = idField(given.userId, "userId");
  if (anonymousId !== undefined) own.anonymousId = anonymousId;
  if (userId !== undefined) own.userId = userId;
  if (isPlainObject(context)) own.context = context;
  return storage.run(new ContextScope(storage.getStore(), own), fn);
}

/**
 * The current scope as a plain JSON-safe object — `{ anonymousId, userId?, context? }`
 * — or undefined outside one. Put it in a job's payload and hand it to `withContext` in
 * the worker, so what the worker tracks lands on the visitor's thread too.
 */
export function captureContext(): ScopeContext | undefined {
  const scope = storage.getStore();
  if (scope === undefined) return undefined;
  const captured: ScopeContext = {};
  const { anonymousId, userId } = scope;
  if (anonymousId !== undefined) captured.anonymousId = anonymousId;
  if (userId !== undefined) captured.userId = userId;
  const context = scope.scopeContext();
  // A copy through JSON: what goes into a job payload is exactly what comes out of it.
  if (context !== undefined) captured.context = JSON.parse(JSON.stringify(context)) as Record<string, unknown>;
  return captured;
}
