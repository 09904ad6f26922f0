// What `npm test` and `npm run test:unit` run, as data, and how their results add up to
// the closing line. No side effects on import: scripts/test.mjs runs the steps and
// test/tooling/gates.test.ts checks the plan and the arithmetic.
//
// To add a step: add an entry to `fullRun` (a `tool` run with node, or a `system`
// function from ensure-system.mjs). Steps run in order; every step runs even when an
// earlier one failed, so one run shows every broken gate.

/** The programs the steps run with `node`, relative to the repository root. */
export const TOOLS = {
  tsup: "node_modules/tsup/dist/cli-default.js",
  eslint: "node_modules/eslint/bin/eslint.js",
  prettier: "node_modules/prettier/bin/prettier.cjs",
  tsc: "node_modules/typescript/bin/tsc",
  vitest: "node_modules/vitest/vitest.mjs",
};

/**
 * Test files `--unit` leaves out: whole folders whose tests need a build, a browser, a
 * database or child processes, and single files elsewhere that start child processes.
 */
export const NOT_UNIT = [
  "test/browser/**",
  "test/examples/**",
  "test/package/**",
  "test/warehouse/**",
  "test/core/process-exit.test.ts",
  "test/dev/cli.test.ts",
  "test/dev/client.test.ts",
  "test/spool/crash.test.ts",
  "test/spool/processes.test.ts",
  // generates its TLS certificate with openssl
  "test/identity/frameworks.test.ts",
];

/**
 * The steps of `npm test`. `vitestArgs` are the user's extra arguments: a run narrowed by
 * them skips the coverage floor, which only the whole suite can meet.
 */
export function fullRun(vitestArgs = []) {
  const narrowed = vitestArgs.length > 0;
  return [
    { id: "system", title: "System packages (chromium)", system: "ensureChromium" },
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

/** The one step of `npm run test:unit`. */
export function unitRun(vitestArgs = []) {
  return [
    {
      id: "unit",
      title: "Unit tests (vitest, in-process only)",
      tool: "vitest",
      args: [...NOT_UNIT.flatMap((glob) => ["--exclude", glob]), ...vitestArgs],
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
