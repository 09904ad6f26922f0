// System packages some tests need, installed from Debian's archive when missing.
// One exported function per package; scripts/test.mjs calls the ones its steps need.
// Each returns normally when the thing is there (or was installed) and throws an Error
// that says what to do otherwise. To add one: write `ensureX()` below with `aptInstall`.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

let aptUpdated = false;

/** `apt-get install -y PACKAGES` (as root, or through passwordless sudo), after one `apt-get update`. */
export function aptInstall(packages, why) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = isRoot ? ["apt-get"] : ["sudo", "-n", "apt-get"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  console.log(`\n▶ Installing ${packages.join(", ")} (${why})`);
  const runs = [...(aptUpdated ? [] : [["update"]]), ["install", "-y", "--no-install-recommends", ...packages]];
  for (const args of runs) {
    const result = spawnSync(apt[0], [...apt.slice(1), ...args], { stdio: "inherit", env });
    if (result.status !== 0) throw new Error(`apt-get ${args[0]} failed (exit ${result.status ?? result.signal})`);
    if (args[0] === "update") aptUpdated = true;
  }
}

/** The Chromium the browser tests drive: `THREADLINE_CHROMIUM`, or Debian's /usr/bin/chromium. */
export function ensureChromium() {
  const binary = process.env.THREADLINE_CHROMIUM ?? "/usr/bin/chromium";
  if (existsSync(binary)) return binary;
  try {
    aptInstall(["chromium"], `the browser tests need it; ${binary} is missing`);
  } catch (error) {
    throw new Error(
      `Could not install chromium: ${error.message}. Install it yourself or set THREADLINE_CHROMIUM to a Chromium binary.`,
      { cause: error },
    );
  }
  return binary;
}

// PostgreSQL and ClickHouse for test/warehouse/ (their own file: scripts/ensure-databases.mjs).
export { ensureClickHouse, ensureDatabases, ensurePostgres } from "./ensure-databases.mjs";
