#!/usr/bin/env node
// `npm test`: everything a fresh machine needs, then every gate and every test:
//   system packages (scripts/ensure-system.mjs), a clean build (some tests exercise dist/
//   the way users do), lint, format check, type check, type tests, then vitest with the
//   coverage floor (vitest.config.ts). Extra arguments go to vitest.
// `npm run test:unit` (`--unit`): only the in-process tests, no build, browser, database,
//   child process or gate; fast enough for every save.
// The steps are listed in scripts/test-steps.mjs. Every step runs even when an earlier
// one failed; the exit code is non-zero when any failed, and the last line is the plain
// `N passed, N failed` (tests and gates together) that CI reads.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as system from "./ensure-system.mjs";
import { fullRun, tally, TOOLS, unitRun } from "./test-steps.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// vitest's JSON reports are kept here (gitignored): the path it prints stays valid.
const reportDir = join(root, "test/.tmp");

function runTool(tool, args) {
  const result = spawnSync(process.execPath, [join(root, TOOLS[tool]), ...args], { cwd: root, stdio: "inherit" });
  return { ok: result.status === 0, detail: result.status === 0 ? "" : `exit ${result.status ?? result.signal}` };
}

/** A vitest run with a JSON report beside the usual output; its counts join the tally. */
function runVitest(name, args) {
  mkdirSync(reportDir, { recursive: true });
  const report = join(reportDir, `vitest-${name}.json`);
  rmSync(report, { force: true });
  const run = runTool("vitest", [
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${report}`,
    ...args,
  ]);
  if (!existsSync(report))
    return { ...run, ok: false, detail: `${run.detail || "no report"}; ${relative(root, report)} missing` };
  const json = JSON.parse(readFileSync(report, "utf8"));
  const counts = {
    passed: json.numPassedTests,
    failed: json.numFailedTests,
    skipped: json.numPendingTests + (json.numTodoTests ?? 0),
  };
  return { ...run, counts };
}

function runStep(step) {
  if (step.system) return (system[step.system](), { ok: true });
  if (step.cleanDist) rmSync(join(root, "dist"), { recursive: true, force: true });
  return step.report ? runVitest(step.report, step.args) : runTool(step.tool, step.args);
}

const args = process.argv.slice(2);
const unit = args.includes("--unit");
const vitestArgs = args.filter((a) => a !== "--unit");
const steps = unit ? unitRun(root, vitestArgs) : fullRun(vitestArgs);

const results = [];
for (const step of steps) {
  console.log(`\n▶ ${step.title}${step.report ? ` on Node ${process.version}` : ""}`);
  let result;
  try {
    result = runStep(step);
  } catch (error) {
    result = { ok: false, detail: error.message };
  }
  if (!result.ok) console.error(`✖ ${step.title} failed${result.detail ? ` (${result.detail})` : ""}`);
  results.push({ step, ...result });
}

console.log(`\nNode ${process.version}:`);
for (const { step, ok, detail, counts } of results) {
  const tests = counts ? `: ${counts.passed} passed, ${counts.failed} failed` : "";
  console.log(`  ${ok ? "✔" : "✖"} ${step.title}${tests}${ok ? "" : ` (${detail})`}`);
}
const { line, exitCode } = tally(results);
console.log(line);
process.exit(exitCode);
