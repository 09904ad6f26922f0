// Real database servers for the warehouse tests and bench: Debian's PostgreSQL and
// ClickHouse, each in its own temp directory, on a free loopback port, stopped by stop().
// Plain JavaScript so the bench (node, no TypeScript loader) and vitest share it.
import { execFileSync, spawn } from "node:child_process";
import { chownSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:http";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findClickHouse, findPostgresBin } from "../../scripts/ensure-databases.mjs";

/** Every server dies by this deadline even if the test process is killed before stop() (the bench asks for more). */
const HARD_LIMIT_SECONDS = 900;
const START_TIMEOUT_MS = 30_000;

/** A port nothing listens on right now: bind port 0, read it, release it. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** The newest installed PostgreSQL's bin directory; `npm test` installs it when missing. */
export function postgresBin() {
  const bin = findPostgresBin();
  if (bin) return bin;
  throw new Error("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin); run npm test, or set THREADLINE_PG_BIN");
}

/** The ClickHouse server command; `npm test` installs it when missing. */
export function clickhouseCommand() {
  const command = findClickHouse();
  if (command) return command;
  throw new Error("ClickHouse is not installed (no clickhouse-server); run npm test, or set THREADLINE_CLICKHOUSE");
}

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** PostgreSQL refuses to run as root: as root, run it as the `postgres` account. */
function postgresAccount() {
  if (!isRoot()) return {};
  const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
  return { uid, gid };
}

/** Wraps a server in coreutils `timeout` so an orphan cannot outlive the hard limit. */
function spawnBounded(command, args, options, limitSeconds = HARD_LIMIT_SECONDS) {
  return spawn("timeout", ["--kill-after=5", String(limitSeconds), command, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
  });
}

function collectOutput(child) {
  let output = "";
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  return () => output;
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

async function waitFor(check, child, output, what) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}:\n${output()}`);
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what} did not start within ${START_TIMEOUT_MS} ms:\n${output()}`);
}

/**
 * initdb + postgres on 127.0.0.1:<free port>, trust auth, durability off (a test database).
 * @param {{ limitSeconds?: number }} [options] how long the server may live at most (default 900 s)
 * @returns {Promise<{ url: string, port: number, stop(): Promise<void> }>}
 */
export async function startPostgres({ limitSeconds } = {}) {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), "threadline-pg-"));
  const data = join(dir, "data");
  const account = postgresAccount();
  if (account.uid !== undefined) chownSync(dir, account.uid, account.gid);
  execFileSync(
    join(bin, "initdb"),
    ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"],
    {
      stdio: "pipe",
      cwd: dir,
      ...account,
    },
  );
  const port = await freePort();
  const child = spawnBounded(
    join(bin, "postgres"),
    [
      "-D",
      data,
      "-h",
      "127.0.0.1",
      "-p",
      String(port),
      "-k",
      dir,
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "shared_buffers=64MB",
      "-c",
      "max_connections=20",
      "-c",
      "TimeZone=UTC",
    ],
    { cwd: dir, ...account },
    limitSeconds,
  );
  const output = collectOutput(child);
  try {
    await waitFor(async () => /ready to accept connections/.test(output()), child, output, "postgres");
  } catch (error) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function readLog(file) {
  try {
    return readFileSync(file, "utf8").split("\n").slice(-30).join("\n");
  } catch {
    return "";
  }
}

function ping(port) {
  return new Promise((resolve) => {
    const req = request({ host: "127.0.0.1", port, path: "/ping", timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
    req.on("timeout", () => req.destroy());
    req.end();
  });
}

function clickhouseConfig(dir, httpPort, tcpPort) {
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${dir}/log/server.log</log><errorlog>${dir}/log/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <path>${dir}/data/</path>
  <tmp_path>${dir}/tmp/</tmp_path>
  <user_files_path>${dir}/user_files/</user_files_path>
  <format_schema_path>${dir}/format_schemas/</format_schema_path>
  <users_config>${dir}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>134217728</mark_cache_size>
  <max_concurrent_queries>20</max_concurrent_queries>
</yandex>
`;
}

const CLICKHOUSE_USERS = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;

/**
 * clickhouse-server with a generated config: HTTP and native ports free, every path in a temp dir.
 * @param {{ limitSeconds?: number }} [options] how long the server may live at most (default 900 s)
 * @returns {Promise<{ url: string, httpPort: number, stop(): Promise<void> }>} url is `clickhouse://127.0.0.1:PORT/`
 */
export async function startClickHouse({ limitSeconds } = {}) {
  const [command, ...prefix] = clickhouseCommand();
  const dir = mkdtempSync(join(tmpdir(), "threadline-ch-"));
  for (const sub of ["log", "data", "tmp", "user_files", "format_schemas"]) mkdirSync(join(dir, sub));
  const httpPort = await freePort();
  let tcpPort = await freePort();
  while (tcpPort === httpPort) tcpPort = await freePort();
  writeFileSync(join(dir, "config.xml"), clickhouseConfig(dir, httpPort, tcpPort));
  writeFileSync(join(dir, "users.xml"), CLICKHOUSE_USERS);
  const child = spawnBounded(
    command,
    [...prefix, `--config-file=${join(dir, "config.xml")}`],
    { cwd: dir },
    limitSeconds,
  );
  const output = collectOutput(child);
  try {
    await waitFor(() => ping(httpPort), child, output, "clickhouse-server");
  } catch (error) {
    await stopChild(child);
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `clickhouse://127.0.0.1:${httpPort}/`,
    httpPort,
    /** The last lines of the server's error log (for a failure report). */
    errorLog: () => readLog(join(dir, "log", "error.log")),
    async stop() {
      await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
