// What `npm test` and `npm run test:unit` run, as data, and how their results add up to
// the closing line. Nothing runs on import: scripts/test.mjs runs the steps and
// test/tooling/gates.test.ts checks the plan and the arithmetic.
//
// To add a step: add an entry to `fullRun` (a `tool` run with node, or a `system`
// function from ensure-system.mjs). Steps run in order; every step runs even when an
// earlier one failed, so one run shows every broken gate.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** The programs the steps run with `node`, relative to the repository root. */
export const TOOLS = {
  tsup: "node_modules/tsup/dist/cli-default.js",
  eslint: "node_modules/eslint/bin/eslint.js",
  prettier: "node_modules/prettier/bin/prettier.cjs",
  tsc: "node_modules/typescript/bin/tsc",
  vitest: "node_modules/vitest/vitest.mjs",
};

/** Folders whose tests need a build, a browser or a database: never part of `--unit`. */
export const NOT_UNIT_FOLDERS = ["test/browser/**", "test/examples/**", "test/package/**", "test/warehouse/**"];

/**
 * What marks a test (or a test helper it imports) as not in-process: a child process, a
 * browser, the built dist/, a database client. Found by reading the files, so a new test
 * that starts a process leaves `--unit` without anyone keeping a list.
 */
const NOT_IN_PROCESS =
  /["']node:child_process["']|["']child_process["']|playwright|\bdist\/|["'](pg|postgres|@clickhouse\/client)["']/;

const RELATIVE_IMPORT = /(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g;

function listTests(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === ".tmp" ? [] : listTests(path);
    return entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/**
 * The test files (relative to `root`) that `--unit` leaves out beyond the folders: those
 * whose own text, or that of a test helper they import (transitively, inside test/),
 * shows a sign of running outside the test process.
 */
export function notInProcessTests(root) {
  const testDir = join(root, "test");
  const verdicts = new Map();
  const outside = (file) => {
    if (verdicts.has(file)) return verdicts.get(file);
    verdicts.set(file, false); // an import cycle adds nothing
    let text;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      return false;
    }
    let found = NOT_IN_PROCESS.test(text);
    for (const [, spec] of text.matchAll(RELATIVE_IMPORT)) {
      if (found) break;
      const target = resolve(dirname(file), spec.replace(/\.js$/, ".ts"));
      if (relative(testDir, target).startsWith("..")) continue; // src/ runs in-process
      found = outside(target);
    }
    verdicts.set(file, found);
    return found;
  };
  return listTests(testDir)
    .filter(outside)
    .map((file) => relative(root, file).split("\\").join("/"))
    .sort();
}

/**
 * The steps of `npm test`. `vitestArgs` are the user's extra arguments: a run narrowed by
 * them skips the coverage floor, which only the whole suite can meet.
 */
export function fullRun(vitestArgs = []) {
  const narrowed = vitestArgs.length > 0;
  return [
    { id: "system", title: "System packages (chromium)", system: "ensureChromium" },
    { id: "databases", title: "System packages (postgresql, clickhouse-server)", system: "ensureDatabases" },
    { id: "build", title: "Build (tsup)", tool: "tsup", args: [], cleanDist: true },
    { id: "lint", title: "Lint (eslint)", tool: "eslint", args: ["--max-warnings=0", "."] },
    {
      id: "format",
      title: "Format check (prettier --check)",
      tool: "prettier",
      args: ["--check", "--log-level=warn", "."],
    },
    { id: "typecheck", title: "Type check (tsc)", tool: "tsc", args: ["--noEmit", "-p", "."] },
    {
      id: "types",
      title: "Type tests (vitest --typecheck.only)",
      tool: "vitest",
      args: ["--typecheck.only"],
      report: "types",
    },
    {
      id: "tests",
      title: narrowed ? "Tests (vitest; narrowed, so no coverage floor)" : "Tests (vitest, with the coverage floor)",
      tool: "vitest",
      args: [...(narrowed ? [] : ["--coverage"]), ...vitestArgs],
      report: "tests",
    },
  ];
}

/** The one step of `npm run test:unit`; `root` is the repository, read for `notInProcessTests`. */
export function unitRun(root, vitestArgs = []) {
  const excluded = [...NOT_UNIT_FOLDERS, ...notInProcessTests(root)];
  return [
    {
      id: "unit",
      title: "Unit tests (vitest, in-process only)",
      tool: "vitest",
      args: [...excluded.flatMap((glob) => ["--exclude", glob]), ...vitestArgs],
      report: "unit",
    },
  ];
}

/**
 * Adds the results up. A vitest step counts its tests (and one failure more when it
 * exited non-zero with no failed test: the coverage floor, an unhandled error, a file
 * that did not load); any other step counts as one check, passed or failed.
 */
export function tally(results) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const { ok, counts } of results) {
    if (counts) {
      passed += counts.passed;
      failed += counts.failed + (!ok && counts.failed === 0 ? 1 : 0);
      skipped += counts.skipped;
    } else if (ok) passed += 1;
    else failed += 1;
  }
  const line = `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`;
  return { passed, failed, skipped, line, exitCode: results.every((r) => r.ok) ? 0 : 1 };
}
