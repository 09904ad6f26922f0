/**
 * Where `Set-Cookie` lines go: a `node:http` response, or the collector the Web-standard
 * adapters copy onto their `Response` afterwards.
 */
export interface ServerResponse {
  readonly headersSent: boolean;
  getHeader(name: string): number | string | string[] | undefined;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  removeHeader(name: string): void;
}
import { serialize } from "cookie";
import { findScope, type Scope } from "../scope.js";
import { RequestSlot } from "./request-slot.js";

/**
 * Ids are validated to cookie-safe characters before they get here, so values go out
 * raw: the `cookie` package's default encoder would turn `:` into `%3A`, and the id
 * would then fail validation when the browser sends it back.
 */
const writeRaw = (value: string): string => value;

export interface CookieAttributes {
  /** Undefined for a cookie that ends with the browser session; 0 expires it. */
  maxAgeSeconds: number | undefined;
  domain?: string | undefined;
  httpOnly: boolean;
  secure: boolean;
}

/**
 * A `Set-Cookie` line: `Path=/`, `SameSite=Lax`, raw value. Throws a TypeError for a
 * name, value or domain the `cookie` package rejects (callers pass validated input).
 */
export function buildSetCookie(name: string, value: string, attributes: CookieAttributes): string {
  return serialize(name, value, {
    encode: writeRaw,
    maxAge: attributes.maxAgeSeconds,
    domain: attributes.domain,
    path: "/",
    sameSite: "lax",
    httpOnly: attributes.httpOnly,
    secure: attributes.secure,
  });
}

/**
 * The attributes part of a `Set-Cookie` line (everything after the value), built once
 * per option set so the per-request cost of the first-party cookie is one concatenation.
 */
export function setCookieSuffix(name: string, attributes: CookieAttributes): string {
  const sample = buildSetCookie(name, "x", attributes);
  return sample.slice(name.length + 2);
}

function asList(header: number | string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return Array.isArray(header) ? header.slice() : [String(header)];
}

/**
 * Our lines on a response, re-added when its headers go out: an app that calls
 * `res.setHeader("Set-Cookie", …)` (or Koa's `ctx.set`) after the middleware would
 * otherwise wipe them, and every new visitor would get no id. Session middlewares
 * solve it the same way, at `writeHead`, which Node calls for implicit headers too.
 *
 * Where the lines are kept depends on the response, because of what each costs:
 * - A plain `node:http` response (Koa, Fastify, Node): on the response, under symbols,
 *   with a shared instance `writeHead` (a property added to such an object is ~30 ns).
 * - An Express response: Express swaps its prototype (`Object.setPrototypeOf(res,
 *   app.response)`), and on Node 20 and 22 each property then added to it costs ~4 µs (V8
 *   keeps no transition for it); three of them were most of a first visit's cost. So its
 *   app's prototype carries the hook ({@link hookResponsePrototype}) and the lines stay in
 *   the request scope that set them ({@link CookieKeeper}) — nothing per response — or,
 *   without a scope (`scope: false`), on `res.locals` ({@link RequestSlot}).
 */
const OURS = Symbol.for("threadline.setCookie.lines");
const PREVIOUS = Symbol.for("threadline.setCookie.writeHead");
/** Marks a `writeHead` that merges our lines, so a response that inherits one gets no second. */
const MERGES = Symbol.for("threadline.setCookie.merges");

type WriteHead = ((...args: unknown[]) => unknown) & { [MERGES]?: true };
type Hookable = Pick<ServerResponse, "headersSent" | "getHeader" | "setHeader" | "removeHeader"> & {
  writeHead?: WriteHead;
  [OURS]?: string[];
  [PREVIOUS]?: WriteHead;
};

/** A request scope that holds the `Set-Cookie` lines it wrote on its response (the request client). */
export interface CookieKeeper {
  readonly keptResponse: object;
  readonly keptCookieLines: readonly string[] | undefined;
}

const isCookieKeeper = (scope: object): scope is Scope & CookieKeeper => "keptCookieLines" in scope;

/** Lines of prototype-hooked (Express) responses written without a scope to keep them. */
const unscopedLines = new RequestSlot<string[]>(Symbol.for("threadline.setCookie.unscopedLines"));

/**
 * Add `Set-Cookie` lines after whatever the app already set; never replaces them.
 * @param scoped the caller runs the request in a scope that is a {@link CookieKeeper} of these lines
 */
export function appendSetCookie(res: ServerResponse, lines: readonly string[], scoped = false): boolean {
  if (res.headersSent || lines.length === 0) return false;
  const existing = res.getHeader("set-cookie");
  // One line goes in as a string: Node validates an array value by joining it first.
  if (existing === undefined) res.setHeader("set-cookie", lines.length === 1 ? lines[0]! : lines);
  else res.setHeader("set-cookie", asList(existing).concat(lines));
  keepAtHeaderTime(res as unknown as Hookable, lines, scoped);
  return true;
}

function keepAtHeaderTime(res: Hookable, lines: readonly string[], scoped: boolean): void {
  const current = res.writeHead;
  // A Web-standard adapter's header collector has no writeHead: it copies the lines itself.
  if (typeof current !== "function") return;
  if (current[MERGES] === true) {
    if (scoped) return;
    const kept = unscopedLines.get(res, res);
    if (kept === undefined) unscopedLines.set(res, res, lines.slice());
    else kept.push(...lines);
    return;
  }
  const ours = res[OURS];
  if (ours !== undefined) {
    ours.push(...lines);
    return;
  }
  res[OURS] = lines.slice();
  res[PREVIOUS] = current;
  res.writeHead = writeHeadOnce;
}

/**
 * The instance hook, one function for every response, finding its state through `this`.
 * Why not a closure per response: the build's `keepNames` defines a `name` property on
 * each closure it creates, which cost ~10 µs on Node 20 — more than the rest of a first visit.
 */
function writeHeadOnce(this: Hookable, ...args: unknown[]): unknown {
  // Not a response we hooked (the function copied elsewhere): behave as the prototype's.
  const previous = this[PREVIOUS] ?? (Object.getPrototypeOf(this) as Hookable).writeHead!;
  if (this.writeHead === writeHeadOnce) this.writeHead = previous;
  mergeOurs(this, args, this[OURS]);
  return previous.apply(this, args);
}

/** Our lines on a prototype-hooked response: from the request scope that wrote them, else its slot (`scope: false`). */
function linesOfHooked(res: Hookable): readonly string[] | undefined {
  const keeper = findScope(isKeeperOf, res);
  return keeper !== undefined ? keeper.keptCookieLines : unscopedLines.get(res, res);
}

const isKeeperOf = (scope: Scope, res: Hookable): scope is Scope & CookieKeeper =>
  isCookieKeeper(scope) && scope.keptResponse === res;

/**
 * Merge our lines at `writeHead` for every response that inherits from `proto` (an
 * Express app's `app.response`), so a first visit adds no property to its response.
 * Idempotent; a prototype that already inherits a merging `writeHead` (a mounted
 * app's) is left alone.
 */
export function hookResponsePrototype(proto: object): void {
  const previous = (proto as Hookable).writeHead;
  if (typeof previous !== "function" || previous[MERGES] === true) return;
  const writeHead: WriteHead = function writeHeadWithCookies(this: Hookable, ...args: unknown[]): unknown {
    mergeOurs(this, args, linesOfHooked(this));
    return previous.apply(this, args);
  };
  writeHead[MERGES] = true;
  Object.defineProperty(proto, "writeHead", {
    value: writeHead,
    writable: true,
    configurable: true,
    enumerable: false,
  });
}

/** Put back any of our lines the app's later `Set-Cookie` replaced, keeping the app's. */
function mergeOurs(res: Hookable, args: unknown[], lines: readonly string[] | undefined): void {
  if (lines === undefined || lines.length === 0) return;
  // The common case, checked without copying: no headers handed to writeHead (Node's
  // implicit `writeHead(status)`), and the header still holds the value we set.
  if (args.length < 2) {
    const current = res.getHeader("set-cookie");
    if (current === lines || (lines.length === 1 && current === lines[0])) return;
  }
  // writeHead(status, [message], headers): headers given here win over setHeader's.
  const headers = args.find((arg, i) => i > 0 && arg !== null && typeof arg === "object" && !Array.isArray(arg)) as
    Record<string, number | string | string[] | undefined> | undefined;
  const key =
    headers === undefined ? undefined : Object.keys(headers).find((name) => name.toLowerCase() === "set-cookie");
  if (headers !== undefined && key !== undefined) {
    const given = asList(headers[key]);
    headers[key] = given.concat(lines.filter((line) => !given.includes(line)));
    return;
  }
  const current = asList(res.getHeader("set-cookie"));
  const missing = lines.filter((line) => !current.includes(line));
  if (missing.length > 0) res.setHeader("set-cookie", current.concat(missing));
}

/** Take back lines we wrote earlier in this request (after `reset()`), leaving the app's. */
export function removeSetCookie(res: ServerResponse, lines: readonly string[]): void {
  if (res.headersSent || lines.length === 0) return;
  // A scope's lines are its client's `written`, which the caller replaces itself.
  const hooked = res as unknown as Hookable;
  const own = hooked[OURS];
  if (own !== undefined) hooked[OURS] = own.filter((line) => !lines.includes(line));
  const unscoped = unscopedLines.get(res, res);
  if (unscoped !== undefined)
    unscopedLines.set(
      res,
      res,
      unscoped.filter((line) => !lines.includes(line)),
    );
  const existing = asList(res.getHeader("set-cookie"));
  const kept = existing.filter((line) => !lines.includes(line));
  if (kept.length === existing.length) return;
  if (kept.length === 0) res.removeHeader("set-cookie");
  else res.setHeader("set-cookie", kept);
}
