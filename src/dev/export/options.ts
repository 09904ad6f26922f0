import type { ThreadlineError } from "../../errors.js";
import { COLLECTOR_DEFAULTS } from "../options.js";

/** What `exportEvents()` and `threadline export` take. */
export interface ExportOptions {
  /**
   * The collector's NDJSON file to load.
   * @default ".threadline/events.ndjson" (the collector's own default)
   */
  data?: string;
  /**
   * Where to load it: `postgres://user:pass@host:port/db` (or `postgresql://`), or
   * `clickhouse://user:pass@host:port/db` (ClickHouse's HTTP interface, port 8123 when omitted).
   */
  to: string;
  /**
   * Where the tables and views go: a Postgres schema, created if missing. In ClickHouse the
   * database named in the URL wins; with none, this names the database.
   * @default "threadline"
   */
  schema?: string;
  /**
   * Also (re)install the stitching views from the package's `sql/` files.
   * @default false
   */
  views?: boolean;
  /**
   * Events per insert.
   * @default 10000
   */
  batchSize?: number;
  /**
   * A progress line on stderr, rewritten in place.
   * @default true when stderr is a terminal
   */
  progress?: boolean;
  /**
   * Called for each line that could not be loaded (code `export_bad_line`); the rest still loads.
   * @default undefined (the lines are only counted, in `skipped`)
   */
  onBadLine?: (error: ThreadlineError & { line: number }) => void;
}

export const EXPORT_DEFAULTS = {
  data: COLLECTOR_DEFAULTS.dataFile,
  schema: "threadline",
  views: false,
  batchSize: 10_000,
} as const;

/** What one export did. */
export interface ExportResult {
  engine: "postgres" | "clickhouse";
  /** The target without its password. */
  target: string;
  /** The Postgres schema or ClickHouse database the tables are in. */
  schema: string;
  /** Events read from the file. */
  read: number;
  /** Events added by this run. */
  loaded: number;
  /** Events the target already held (a second run of the same file loads 0 and counts them all here). */
  existing: number;
  /** Lines that could not be loaded: not JSON (a torn last line included), or not an event. */
  skipped: number;
  /** The first few skipped lines, with why. */
  skippedLines: Array<{ line: number; reason: string }>;
  /** Whether the views were installed. */
  views: boolean;
}
