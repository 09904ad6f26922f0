/**
 * A single pass over a payload that finds what `JSON.stringify` would silently drop
 * or throw on: functions, symbols, BigInt, cycles, absurd depth. It also sums string
 * lengths, so a message that is certainly too large is refused before it is
 * serialized at all.
 *
 * Module-level state instead of an object per call: this runs on every `track`.
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

/** Describes the first problem found in `value` (a path and what is wrong), else undefined. */
export function findProblem(value: unknown, label: string, maxChars: number): { problem?: string; tooLarge: boolean } {
  ancestors.length = 0;
  keys.length = 0;
  rootLabel = label;
  chars = 0;
  charLimit = maxChars;
  problem = undefined;
  visit(value, 0);
  ancestors.length = 0;
  return { problem, tooLarge: problem === undefined && chars > charLimit };
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
  } else {
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
