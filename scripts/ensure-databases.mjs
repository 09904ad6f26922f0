// The database servers the warehouse tests start: Debian's PostgreSQL and ClickHouse
// (clickhouse-server 18.16 on bookworm). Installed with apt when missing, as Chromium is.
// The tests start their own servers in temp directories; the packages' own services are
// not used.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The newest installed PostgreSQL's bin directory (Debian keeps it off PATH), or undefined. */
export function findPostgresBin() {
  if (process.env.THREADLINE_PG_BIN) return process.env.THREADLINE_PG_BIN;
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  return versions.map((v) => join(base, v, "bin")).find((bin) => existsSync(join(bin, "postgres")) && existsSync(join(bin, "initdb")));
}

/** How to run a ClickHouse server: Debian's `clickhouse-server`, or current releases' single binary; or undefined. */
export function findClickHouse() {
  if (process.env.THREADLINE_CLICKHOUSE) return [process.env.THREADLINE_CLICKHOUSE];
  const server = ["/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"].find((path) => existsSync(path));
  if (server) return [server];
  const single = ["/usr/bin/clickhouse", "/usr/local/bin/clickhouse"].find((path) => existsSync(path));
  return single ? [single, "server"] : undefined;
}

function aptInstall(packages) {
  const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const apt = isRoot ? ["apt-get"] : ["sudo", "-n", "apt-get"];
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  console.log(`\n▶ Installing ${packages.join(", ")} for the warehouse tests`);
  for (const args of [["update"], ["install", "-y", "--no-install-recommends", ...packages]]) {
    const result = spawnSync(apt[0], [...apt.slice(1), ...args], { stdio: "inherit", env });
    if (result.status !== 0) {
      console.error(`✖ Could not install ${packages.join(", ")} (apt-get ${args[0]} failed). Install them yourself, or set THREADLINE_PG_BIN / THREADLINE_CLICKHOUSE.`);
      process.exit(1);
    }
  }
}

export function ensurePostgres() {
  if (!findPostgresBin()) aptInstall(["postgresql"]);
}

export function ensureClickHouse() {
  if (!findClickHouse()) aptInstall(["clickhouse-server"]);
}

/** Both, with one apt-get update when both are missing. */
export function ensureDatabases() {
  const missing = [...(findPostgresBin() ? [] : ["postgresql"]), ...(findClickHouse() ? [] : ["clickhouse-server"])];
  if (missing.length > 0) aptInstall(missing);
}
