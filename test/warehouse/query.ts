import pg from "pg";

/** Rows of one query against a test Postgres (search_path = the schema). */
export async function pgRows<T = Record<string, unknown>>(url: string, schema: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url, options: `-c search_path=${schema}` });
  await client.connect();
  try {
    const result = await client.query(sql);
    // A multi-statement text answers with one result per statement: the last one is the query.
    const last = Array.isArray(result) ? result[result.length - 1] : result;
    return last.rows as T[];
  } finally {
    await client.end();
  }
}

/** Rows of one query against a test ClickHouse (its HTTP interface), in JSONEachRow. */
export async function chRows<T = Record<string, unknown>>(url: string, database: string, sql: string): Promise<T[]> {
  const http = url.replace(/^clickhouse:/, "http:").replace(/\/[^/]*$/, "/");
  const res = await fetch(`${http}?database=${database}`, {
    method: "POST",
    body: `${sql.trim().replace(/;$/, "")} FORMAT JSONEachRow`,
    signal: AbortSignal.timeout(60_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse ${res.status}: ${text.slice(0, 500)}`);
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as T);
}
