import { randomBytes } from "node:crypto";
import { ThreadlineError } from "../../errors.js";
import { ClickHouseHttp } from "./clickhouse-http.js";
import type { Driver } from "./driver.js";
import type { Row, TableName } from "./rows.js";
import { sqlStatements } from "./sql-files.js";
import type { ClickHouseTarget } from "./target.js";

/** DateTime holds whole seconds (18.16 has no DateTime64); `timestamp_ms` keeps the milliseconds. */
function forClickHouse(row: Row): string {
  return JSON.stringify({
    ...row,
    timestamp: Math.floor(row.timestamp / 1000),
    timestamp_ms: row.timestamp,
    received_at: row.received_at === null ? null : Math.floor(row.received_at / 1000),
  });
}

function rethrow(file: string) {
  return (error: unknown): never => {
    if (error instanceof ThreadlineError && error.code === "export_failed") {
      throw new ThreadlineError("export_failed", `${file}: ${error.message}`, { cause: error });
    }
    throw error;
  };
}

/**
 * ClickHouse has no unique key to lean on. Each batch goes into a staging table first, then
 * only the ids the table does not hold yet move on (`LIMIT 1 BY id` drops repeats inside the
 * batch), so a reload adds nothing and counts stay exact without FINAL in every query.
 * The `id IN (staging)` filter lets the primary key (ORDER BY id) skip most of the table.
 */
export async function connectClickHouse(target: ClickHouseTarget): Promise<Driver> {
  const http = new ClickHouseHttp(target);
  const database = target.database;
  try {
    await http.query("SELECT 1");
  } catch (error) {
    http.close();
    throw error;
  }
  const suffix = `${process.pid}_${randomBytes(4).toString("hex")}`;
  const staging = new Map<TableName, string>();
  const stagingFor = async (table: TableName): Promise<string> => {
    let name = staging.get(table);
    if (name === undefined) {
      name = `threadline_staging_${table}_${suffix}`;
      await http.query(`CREATE TABLE ${name} AS ${table} ENGINE = Memory`, { database });
      staging.set(table, name);
    }
    return name;
  };
  return {
    async prepare() {
      await http.query(`CREATE DATABASE IF NOT EXISTS ${database}`);
      for (const { file, sql } of sqlStatements("clickhouse", "tables")) {
        await http.query(sql, { database }).catch(rethrow(file));
      }
    },
    async insert(table: TableName, rows: Row[]) {
      const stage = await stagingFor(table);
      await http.query(`TRUNCATE TABLE ${stage}`, { database });
      await http.query(`INSERT INTO ${stage} FORMAT JSONEachRow`, {
        database,
        body: rows.map(forClickHouse).join("\n"),
      });
      const fresh = `SELECT * FROM ${stage} WHERE id NOT IN (SELECT id FROM ${table} WHERE id IN (SELECT id FROM ${stage}))`;
      const count = Number((await http.query(`SELECT count() FROM (${fresh} LIMIT 1 BY id)`, { database })).trim());
      if (count > 0) await http.query(`INSERT INTO ${table} ${fresh} LIMIT 1 BY id`, { database });
      return count;
    },
    async installViews() {
      for (const { file, sql } of sqlStatements("clickhouse", "views")) {
        await http.query(sql, { database }).catch(rethrow(file));
      }
    },
    async close() {
      for (const name of staging.values())
        await http.query(`DROP TABLE IF EXISTS ${name}`, { database }).catch(() => {});
      http.close();
    },
  };
}
