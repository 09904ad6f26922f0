/**
 * A single pass over the caller's payloads that finds what `JSON.stringify` would
 * silently drop or throw on: functions, symbols, BigInt, cycles, absurd depth. It also
 * sums string lengths, so a message that is certainly too large is refused before it
 * is serialized at all.
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

export const WALK_OK = 0;
export const WALK_PROBLEM = 1;
export const WALK_TOO_LARGE = 2;

/** Starts checking one message whose strings may total at most `maxChars`. */
export function beginWalk(maxChars: number): void {
  chars = 0;
  charLimit = maxChars;
  problem = undefined;
}

/** Checks one payload (`label` names it in messages); returns a WALK_* code for the message so far. */
export function walk(value: unknown, label: string): number {
  if (value !== undefined && problem === undefined && chars <= charLimit) {
    ancestors.length = 0;
    keys.length = 0;
    rootLabel = label;
    visit(value, 0);
    ancestors.length = 0;
  }
  return problem !== undefined ? WALK_PROBLEM : chars > charLimit ? WALK_TOO_LARGE : WALK_OK;
}

/** What the last walk found wrong, with the path to it. */
export function walkProblem(): string {
  return problem ?? "";
}

function pathHere(): string {
  let path = rootLabel;
  for (const key of keys) path += typeof key === "number" ? `[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
  return path;
}

function visit(value: unknown, depth: number): void {
  switch (typeof value) {
    case "string":
      chars += value.length;
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
  // Dates and other toJSON objects serialize themselves.
  if (typeof object.toJSON === "function") return;
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
    for (let i = 0; i < object.length && problem === undefined && chars <= charLimit; i++) {
      keys.push(i);
      visit(object[i], depth + 1);
      keys.pop();
    }
  } else if (Object.getPrototypeOf(object) === Object.prototype) {
    // for-in over a plain object walks V8's enum cache without allocating a key array;
    // a plain object inherits nothing enumerable, so it sees exactly the own keys.
    for (const key in object) {
      chars += key.length;
      keys.push(key);
      visit(object[key], depth + 1);
      keys.pop();
      if (problem !== undefined || chars > charLimit) break;
    }
  } else {
    // Class instances: only own enumerable keys, as JSON.stringify sees them.
    for (const key of Object.keys(object)) {
      chars += key.length;
      keys.push(key);
      visit(object[key], depth + 1);
      keys.pop();
      if (problem !== undefined || chars > charLimit) break;
    }
  }
  ancestors.pop();
}
