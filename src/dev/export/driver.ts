import type { Row, TableName } from "./rows.js";

/** What the loader needs of an engine. */
export interface Driver {
  /** Creates the schema or database and the tables when missing. */
  prepare(): Promise<void>;
  /** Inserts the rows whose id the table does not hold yet; resolves to how many it added. */
  insert(table: TableName, rows: Row[]): Promise<number>;
  /** (Re)creates the stitching views from the package's SQL files. */
  installViews(): Promise<void>;
  close(): Promise<void>;
}

/** Network failures that mean "nothing answers there", as opposed to a server saying no. */
const UNREACHABLE = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ECONNRESET",
]);

export function isUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string" && UNREACHABLE.has(code)) return true;
  // AggregateError from happy-eyeballs connects (localhost → ::1 and 127.0.0.1).
  const errors = (error as { errors?: unknown } | null)?.errors;
  return Array.isArray(errors) && errors.length > 0 && errors.every(isUnreachable);
}
