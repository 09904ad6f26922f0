import { access } from "node:fs/promises";
import { ThreadlineError } from "../../errors.js";
import { connectClickHouse } from "./clickhouse.js";
import type { Driver } from "./driver.js";
import { readLines } from "./ndjson.js";
import { EXPORT_DEFAULTS, type ExportOptions, type ExportResult } from "./options.js";
import { connectPostgres } from "./postgres.js";
import { progressLine } from "./progress.js";
import { toRow, type Row, type TableName } from "./rows.js";
import { parseTarget } from "./target.js";

/** How many skipped lines the result lists by number (all are counted). */
const LISTED_SKIPS = 20;

/**
 * Loads the collector's NDJSON into Postgres or ClickHouse in Segment's warehouse layout, in
 * batches; ids already there are left alone, so running it twice adds nothing. Lines that
 * are not events are skipped and counted; everything else still loads.
 */
export async function exportEvents(options: ExportOptions): Promise<ExportResult> {
  if (typeof options?.to !== "string" || options.to === "") {
    throw new ThreadlineError("export_bad_url", "exportEvents needs `to`: postgres://… or clickhouse://…");
  }
  const file = options.data ?? EXPORT_DEFAULTS.data;
  const batchSize = options.batchSize ?? EXPORT_DEFAULTS.batchSize;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ThreadlineError("config", `batchSize must be a positive integer, got ${String(batchSize)}`);
  }
  const target = parseTarget(options.to, options.schema ?? EXPORT_DEFAULTS.schema);
  // Before connecting, so a typo in the path does not leave empty tables behind.
  await access(file).catch((error: Error) => {
    throw new ThreadlineError("export_failed", `cannot read ${file}: ${error.message}`, { cause: error });
  });
  const driver: Driver = target.engine === "postgres" ? await connectPostgres(target) : await connectClickHouse(target);
  const result: ExportResult = {
    engine: target.engine,
    target: target.display,
    schema: target.engine === "postgres" ? target.schema : target.database,
    read: 0,
    loaded: 0,
    existing: 0,
    skipped: 0,
    skippedLines: [],
    views: false,
  };
  const progress = progressLine(options.progress ?? process.stderr.isTTY === true);
  // One batch in flight while the next is read and converted: the database and the file
  // parsing overlap instead of taking turns.
  let inFlight: Promise<void> = Promise.resolve();
  try {
    await driver.prepare();
    let pending = new Map<TableName, Row[]>();
    let buffered = 0;
    const flush = async (): Promise<void> => {
      const batch = pending;
      pending = new Map();
      buffered = 0;
      await inFlight;
      inFlight = (async () => {
        for (const [table, rows] of batch) {
          const added = await driver.insert(table, rows);
          result.loaded += added;
          result.existing += rows.length - added;
        }
        progress.update(result.read, result.loaded);
      })();
      // Handled here so a failure waits for the next await instead of crashing the process.
      inFlight.catch(() => {});
    };
    for await (const entry of readLines(file)) {
      const converted = "reason" in entry ? entry : toRow(entry.value, entry.line);
      if ("reason" in converted) {
        skip(result, entry.line, converted.reason, options);
        continue;
      }
      result.read += 1;
      let rows = pending.get(converted.table);
      if (!rows) pending.set(converted.table, (rows = []));
      rows.push(converted.row);
      if (++buffered >= batchSize) await flush();
    }
    await flush();
    await inFlight;
    if (options.views ?? EXPORT_DEFAULTS.views) {
      await driver.installViews();
      result.views = true;
    }
  } finally {
    await inFlight.catch(() => {});
    progress.done();
    await driver.close();
  }
  return result;
}

function skip(result: ExportResult, line: number, reason: string, options: ExportOptions): void {
  result.skipped += 1;
  if (result.skippedLines.length < LISTED_SKIPS) result.skippedLines.push({ line, reason });
  options.onBadLine?.(Object.assign(new ThreadlineError("export_bad_line", `line ${line}: ${reason}`), { line }));
}
