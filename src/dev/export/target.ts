import { ThreadlineError } from "../../errors.js";

export interface PostgresTarget {
  engine: "postgres";
  url: string;
  schema: string;
  display: string;
}

export interface ClickHouseTarget {
  engine: "clickhouse";
  host: string;
  port: number;
  user?: string;
  password?: string;
  database: string;
  display: string;
}

export type Target = PostgresTarget | ClickHouseTarget;

/** Names we put into SQL unquoted in ClickHouse and quoted in Postgres: keep them plain. */
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

function badUrl(message: string, cause?: unknown): ThreadlineError {
  return new ThreadlineError("export_bad_url", message, cause === undefined ? {} : { cause });
}

function withoutPassword(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = "***";
  return copy.href;
}

/** Reads `--to` (and `--schema`): which engine, where, and which schema or database. */
export function parseTarget(to: string, schema: string): Target {
  if (!NAME.test(schema)) {
    throw new ThreadlineError("config", `schema must be a plain SQL name (letters, digits, _), got "${schema}"`);
  }
  let url: URL;
  try {
    url = new URL(to);
  } catch (error) {
    throw badUrl(`not a URL: "${to}" (expected postgres://host:port/db or clickhouse://host:port/db)`, error);
  }
  if (!url.hostname) throw badUrl(`no host in "${withoutPassword(url)}"`);
  if (url.protocol === "postgres:" || url.protocol === "postgresql:") {
    return { engine: "postgres", url: url.href, schema, display: withoutPassword(url) };
  }
  if (url.protocol === "clickhouse:") {
    const database = decodeURIComponent(url.pathname.replace(/^\/+|\/+$/g, "")) || schema;
    if (!NAME.test(database)) throw badUrl(`database must be a plain SQL name, got "${database}"`);
    const port = url.port === "" ? 8123 : Number(url.port);
    return {
      engine: "clickhouse",
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port,
      ...(url.username ? { user: decodeURIComponent(url.username) } : {}),
      ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
      database,
      display: withoutPassword(url),
    };
  }
  throw badUrl(
    `unsupported URL scheme "${url.protocol}" in "${withoutPassword(url)}" (use postgres:// or clickhouse://)`,
  );
}
