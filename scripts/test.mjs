#!/usr/bin/env node
// `npm test`: everything a fresh machine needs, then every test.
//   1. the browser the browser tests drive (Debian's chromium), installed if missing
//   2. a clean build (tests exercise dist/ the way users do)
//   3. the type check, then vitest (extra arguments are passed to vitest)
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureDatabases } from "./ensure-databases.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = process.env.THREADLINE_CHROMIUM ?? "/usr/bin/chromium";

function step(title, command, args, options = {}) {
  console.log(`\n▶ ${title}`);
  const result = spawnSync(command, args, { cwd: root, stdio: "inherit", ...options });
  if (result.status !== 0) {
    console.error(`✖ ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

function ensureChromium() {
  if (existsSync(CHROMIUM)) return;
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = isRoot ? ["apt-get"] : ["sudo", "-n", "apt-get"];
  console.log(`\n▶ Installing Chromium for the browser tests (${CHROMIUM} is missing)`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", "chromium"]]) {
    const result = spawnSync(apt[0], [...apt.slice(1), ...args], { stdio: "inherit", env });
    if (result.status !== 0) {
      console.error(`✖ Could not install chromium (apt-get ${args[0]} failed). Install it yourself or set THREADLINE_CHROMIUM to a Chromium binary.`);
      process.exit(1);
    }
  }
}

ensureChromium();
ensureDatabases();
rmSync(join(root, "dist"), { recursive: true, force: true });
step("Build (tsup)", process.execPath, [join(root, "node_modules/tsup/dist/cli-default.js")]);
step("Type check (tsc)", process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "--noEmit", "-p", "."]);
// A JSON report beside the usual one gives the plain "N passed, N failed" closing line.
const reportDir = mkdtempSync(join(tmpdir(), "threadline-vitest-"));
const report = join(reportDir, "report.json");
const vitest = [join(root, "node_modules/vitest/vitest.mjs"), "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`];
console.log(`\n▶ Tests (vitest) on Node ${process.version}`);
const tests = spawnSync(process.execPath, [...vitest, ...process.argv.slice(2)], { cwd: root, stdio: "inherit" });
let summary = "";
if (existsSync(report)) {
  const { numPassedTests, numFailedTests, numPendingTests } = JSON.parse(readFileSync(report, "utf8"));
  summary = `${numPassedTests} passed, ${numFailedTests} failed` + (numPendingTests ? `, ${numPendingTests} skipped` : "");
}
rmSync(reportDir, { recursive: true, force: true });
if (summary) console.log(`\nNode ${process.version}:\n${summary}`);
if (tests.status !== 0) {
  console.error(`✖ Tests failed (exit ${tests.status ?? tests.signal})`);
  process.exit(tests.status ?? 1);
}
