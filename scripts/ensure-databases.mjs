// The database servers the warehouse tests start: Debian's PostgreSQL and ClickHouse
// (clickhouse-server 18.16 on bookworm). Installed with apt when missing, as Chromium is.
// The tests start their own servers in temp directories; the packages' own services are
// not used.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { aptInstall } from "./ensure-system.mjs";

/** The newest installed PostgreSQL's bin directory (Debian keeps it off PATH), or undefined. */
export function findPostgresBin() {
  if (process.env.THREADLINE_PG_BIN) return process.env.THREADLINE_PG_BIN;
  const base = "/usr/lib/postgresql";
  if (!existsSync(base)) return undefined;
  const versions = readdirSync(base)
    .filter((v) => /^\d+$/.test(v))
    .sort((a, b) => Number(b) - Number(a));
  return versions
    .map((v) => join(base, v, "bin"))
    .find((bin) => existsSync(join(bin, "postgres")) && existsSync(join(bin, "initdb")));
}

/** How to run a ClickHouse server: Debian's `clickhouse-server`, or current releases' single binary; or undefined. */
export function findClickHouse() {
  if (process.env.THREADLINE_CLICKHOUSE) return [process.env.THREADLINE_CLICKHOUSE];
  const server = ["/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"].find((path) => existsSync(path));
  if (server) return [server];
  const single = ["/usr/bin/clickhouse", "/usr/local/bin/clickhouse"].find((path) => existsSync(path));
  return single ? [single, "server"] : undefined;
}

const WHY = "the warehouse tests start real servers";
const HINT = "Install them yourself, or set THREADLINE_PG_BIN / THREADLINE_CLICKHOUSE.";

function install(packages) {
  try {
    aptInstall(packages, WHY);
  } catch (error) {
    throw new Error(`Could not install ${packages.join(", ")}: ${error.message}. ${HINT}`, { cause: error });
  }
}

export function ensurePostgres() {
  if (!findPostgresBin()) install(["postgresql"]);
}

export function ensureClickHouse() {
  if (!findClickHouse()) install(["clickhouse-server"]);
}

/** Both, in one apt-get install when both are missing. */
export function ensureDatabases() {
  const missing = [...(findPostgresBin() ? [] : ["postgresql"]), ...(findClickHouse() ? [] : ["clickhouse-server"])];
  if (missing.length > 0) install(missing);
}
