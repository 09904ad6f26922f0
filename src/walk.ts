import { types } from "node:util";

/**
 * A single pass over the caller's payloads that finds what `JSON.stringify` would
 * silently drop, mangle or throw on: functions, symbols, BigInt, cycles, absurd depth,
 * invalid Dates, containers JSON turns into `{}`, and values that throw when read
 * (getters, Proxy traps, revoked Proxies). It also sums string lengths, so a message
 * that is certainly too large is refused before it is serialized at all.
 *
 * Module-level state and a numeric result instead of an object per call: this runs on
 * every `track`, and allocation there is paid for again in GC.
 */
const MAX_DEPTH = 64;
const ancestors: object[] = [];
// Keys from the root to the value being visited; the path string is only built when
// something is wrong, so the common case allocates nothing.
const keys: Array<string | number> = [];
let rootLabel = "";
let chars = 0;
let charLimit = 0;
let problem: string | undefined;
/** Where the strings first passed the limit, for the `message_too_large` text. */
let largeAt: string | undefined;

export const WALK_OK = 0;
export const WALK_PROBLEM = 1;
export const WALK_TOO_LARGE = 2;

/** Starts checking one message whose strings may total at most `maxChars`; `used` are already spent. */
export function beginWalk(maxChars: number, used = 0): void {
  chars = used;
  charLimit = maxChars;
  problem = undefined;
  largeAt = undefined;
}

/** Checks one payload (`label` names it in messages); returns a WALK_* code for the message so far. */
export function walk(value: unknown, label: string): number {
  if (value !== undefined && problem === undefined && chars <= charLimit) {
    ancestors.length = 0;
    keys.length = 0;
    rootLabel = label;
    // A getter, a Proxy trap or a revoked Proxy may throw anywhere below; the key stack
    // still holds the path to it then. try/catch costs nothing until something throws.
    try {
      visit(value, 0);
    } catch (thrown) {
      problem = `${pathHere()} cannot be read (${reasonOf(thrown)})`;
    }
    ancestors.length = 0;
  }
  return problem !== undefined ? WALK_PROBLEM : chars > charLimit ? WALK_TOO_LARGE : WALK_OK;
}

/** What the last walk found wrong, with the path to it. */
export function walkProblem(): string {
  return problem ?? "";
}

/** Characters the last walk counted (strings, keys, array slots) before it stopped. */
export function walkChars(): number {
  return chars;
}

/** Where the last walk found the message too large, if it did. */
export function walkLargeAt(): string | undefined {
  return largeAt;
}

/**
 * A short, safe text for something thrown by the caller's objects. Reading it may throw
 * again (a Proxy, a getter on `message`), so every read is guarded.
 */
export function reasonOf(thrown: unknown): string {
  try {
    let text: string;
    if (thrown instanceof Error) text = `${String(thrown.name)}: ${String(thrown.message)}`;
    else if (typeof thrown === "string") text = thrown;
    else text = `a thrown ${thrown === null ? "null" : typeof thrown}`;
    return text.length > 200 ? text.slice(0, 200) + "…" : text;
  } catch {
    return "an unreadable error";
  }
}

function pathHere(): string {
  let path = rootLabel;
  for (let key of keys) {
    // A megabyte key must not make a megabyte error message.
    if (typeof key === "string" && key.length > 40) key = key.slice(0, 40) + "…";
    path +=
      typeof key === "number" ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  }
  return path.length > 300 ? path.slice(0, 150) + " … " + path.slice(-150) : path;
}

function addChars(count: number): void {
  chars += count;
  if (chars > charLimit && largeAt === undefined) largeAt = pathHere();
}

/** Built-in containers whose contents `JSON.stringify` drops (they come out as `{}`). */
function lossyContainer(object: object): string | undefined {
  if (types.isMap(object)) return "a Map, which JSON sends as {} (send Object.fromEntries(map))";
  if (types.isSet(object)) return "a Set, which JSON sends as {} (send [...set])";
  if (types.isRegExp(object)) return "a RegExp, which JSON sends as {} (send its .source)";
  if (types.isNativeError(object)) return "an Error, which JSON sends as {} (send its .message)";
  if (types.isArrayBufferView(object) || types.isAnyArrayBuffer(object))
    return "binary data (a typed array or buffer); send an array or a string";
  if (types.isWeakMap(object) || types.isWeakSet(object) || types.isPromise(object))
    return "a WeakMap, WeakSet or Promise, which JSON cannot carry";
  return undefined;
}

function visit(value: unknown, depth: number): void {
  switch (typeof value) {
    case "string":
      addChars(value.length);
      return;
    case "number":
    case "boolean":
    case "undefined":
      return;
    case "bigint":
      problem = `${pathHere()} is a BigInt, which JSON cannot carry (convert it to a string or number)`;
      return;
    case "function":
      problem = `${pathHere()} is a function; expected JSON data`;
      return;
    case "symbol":
      problem = `${pathHere()} is a symbol; expected JSON data`;
      return;
  }
  if (value === null) return;
  const object = value as Record<string, unknown>;
  // Dates and other toJSON objects serialize themselves; an invalid Date would become null.
  if (typeof object.toJSON === "function") {
    if (types.isDate(object)) {
      if (Number.isNaN((object as unknown as Date).getTime())) problem = `${pathHere()} is an Invalid Date`;
    } else if (types.isArrayBufferView(object)) {
      // A Buffer's toJSON spells each byte as a number: count it before it is built.
      addChars(object.byteLength as number);
    }
    return;
  }
  if (depth >= MAX_DEPTH) {
    problem = `${pathHere()} is nested deeper than ${MAX_DEPTH} levels`;
    return;
  }
  if (ancestors.includes(object)) {
    problem = `${pathHere()} refers back to itself (circular structure)`;
    return;
  }
  ancestors.push(object);
  if (Array.isArray(object)) {
    // Every element costs at least a comma (a hole, `null`): a sparse array with a
    // huge length is too large before its first element is visited.
    addChars(object.length);
    for (let i = 0; i < object.length && problem === undefined && chars <= charLimit; i++) {
      keys.push(i);
      visit(object[i], depth + 1);
      keys.pop();
    }
  } else if (Object.getPrototypeOf(object) === Object.prototype) {
    // for-in over a plain object walks V8's enum cache without allocating a key array;
    // a plain object inherits nothing enumerable, so it sees exactly the own keys.
    for (const key in object) {
      keys.push(key);
      addChars(key.length);
      visit(object[key], depth + 1);
      keys.pop();
      if (problem !== undefined || chars > charLimit) break;
    }
  } else {
    const lossy = lossyContainer(object);
    if (lossy !== undefined) {
      problem = `${pathHere()} is ${lossy}`;
      return;
    }
    // Null-prototype objects and class instances: own enumerable keys, as JSON.stringify sees them.
    for (const key of Object.keys(object)) {
      keys.push(key);
      addChars(key.length);
      visit(object[key], depth + 1);
      keys.pop();
      if (problem !== undefined || chars > charLimit) break;
    }
  }
  ancestors.pop();
}

/**
 * After `JSON.stringify` threw although the walk passed (a `toJSON` that throws or
 * returns something JSON cannot carry, a getter that changed its mind): walks again
 * the way `JSON.stringify` does, calling `toJSON`, to say where. Slow and only on that
 * failure path. Returns undefined when it finds nothing (the caller then reports the
 * serializer's own message).
 */
export function diagnose(value: unknown, label: string): string | undefined {
  budget = DIAGNOSE_BUDGET;
  keys.length = 0;
  ancestors.length = 0;
  rootLabel = label;
  try {
    return explain(value, "", 0);
  } catch (thrown) {
    return `${pathHere()} cannot be serialized (${reasonOf(thrown)})`;
  } finally {
    keys.length = 0;
    ancestors.length = 0;
  }
}

// Values explain() visits at most: getters that mint fresh objects must not make it endless.
const DIAGNOSE_BUDGET = 100_000;
let budget = 0;

function explain(value: unknown, key: string, depth: number): string | undefined {
  if (--budget < 0) return undefined;
  if (value !== null && (typeof value === "object" || typeof value === "bigint")) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") value = toJSON.call(value, key);
  }
  if (typeof value === "bigint") return `${pathHere()} is a BigInt, which JSON cannot carry`;
  if (value === null || typeof value !== "object") return undefined;
  if (depth >= MAX_DEPTH) return `${pathHere()} is nested deeper than ${MAX_DEPTH} levels`;
  if (ancestors.includes(value)) return `${pathHere()} refers back to itself (circular structure)`;
  ancestors.push(value);
  const isArray = Array.isArray(value);
  const list = isArray ? undefined : Object.keys(value);
  const length = isArray ? (value as unknown[]).length : list!.length;
  for (let i = 0; i < length; i++) {
    const name = isArray ? i : list![i];
    keys.push(name);
    const found = explain((value as Record<string | number, unknown>)[name], String(name), depth + 1);
    if (found !== undefined) return found;
    keys.pop();
  }
  ancestors.pop();
  return undefined;
}
