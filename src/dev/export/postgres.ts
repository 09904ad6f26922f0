import type { Client, ClientConfig } from "pg";
import { ThreadlineError } from "../../errors.js";
import { isUnreachable, type Driver } from "./driver.js";
import type { Row, TableName } from "./rows.js";
import { sqlStatements } from "./sql-files.js";
import type { PostgresTarget } from "./target.js";

const CONNECT_TIMEOUT_MS = 10_000;

/** `pg` loads here, on the export path only: `import "threadline"` never pulls it in. */
async function loadPg(): Promise<{ Client: new (config: ClientConfig) => Client }> {
  const module = (await import("pg")) as unknown as {
    default?: { Client: new (config: ClientConfig) => Client };
    Client?: never;
  };
  return module.default ?? (module as unknown as { Client: new (config: ClientConfig) => Client });
}

function failed(what: string, error: unknown): ThreadlineError {
  const message = error instanceof Error ? error.message : String(error);
  return new ThreadlineError("export_failed", `Postgres: ${what}: ${message}`, { cause: error });
}

/** A row's times as ISO text, which `json_populate_recordset` reads into timestamptz. */
function forPostgres(row: Row): Record<string, unknown> {
  return {
    ...row,
    timestamp: new Date(row.timestamp).toISOString(),
    received_at: row.received_at === null ? null : new Date(row.received_at).toISOString(),
  };
}

export async function connectPostgres(target: PostgresTarget): Promise<Driver> {
  const { Client } = await loadPg();
  const client = new Client({ connectionString: target.url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // A socket error after connecting would otherwise be an unhandled 'error' event.
  client.on("error", () => {});
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    if (isUnreachable(error) || /timeout/i.test(String((error as Error)?.message))) {
      throw new ThreadlineError(
        "export_unreachable",
        `cannot reach Postgres at ${target.display} (${describe(error)})`,
        { cause: error },
      );
    }
    throw failed(`cannot connect to ${target.display}`, error);
  }
  const schema = `"${target.schema}"`;
  const run = async (what: string, sql: string, values?: unknown[]) => {
    try {
      return await client.query(sql, values);
    } catch (error) {
      throw failed(what, error);
    }
  };
  return {
    async prepare() {
      await run(
        "create schema",
        `SET client_min_messages = warning; CREATE SCHEMA IF NOT EXISTS ${schema}; SET search_path = ${schema}`,
      );
      for (const { file, sql } of sqlStatements("postgres", "tables")) await run(file, sql);
    },
    async insert(table: TableName, rows: Row[]) {
      // One parameter per batch: the rows as a JSON array, spread into columns by Postgres itself,
      // instead of thousands of bind parameters (capped at 65535 per statement).
      const result = await run(
        `insert into ${table}`,
        `INSERT INTO ${table} SELECT * FROM json_populate_recordset(NULL::${table}, $1::json) ON CONFLICT (id) DO NOTHING`,
        [JSON.stringify(rows.map(forPostgres))],
      );
      return result.rowCount ?? 0;
    },
    async installViews() {
      for (const { file, sql } of sqlStatements("postgres", "views")) await run(file, sql);
    },
    async close() {
      await client.end().catch(() => {});
    },
  };
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.message : String(error);
}
