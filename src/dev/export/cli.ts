import { parseArgs } from "node:util";
import { isThreadlineError } from "../../errors.js";
import { exportEvents } from "./export.js";
import { EXPORT_DEFAULTS, type ExportOptions } from "./options.js";

export const EXPORT_USAGE = `Usage: threadline export --to <url> [options]

Loads the collector's events into Postgres or ClickHouse in Segment's warehouse layout
(tables identifies, tracks, pages, screens, groups, aliases). Loading twice adds nothing.

  --to <url>            postgres://user:pass@host:5432/db or clickhouse://host:8123/db
  --data <file>         the collector's NDJSON file (default ${EXPORT_DEFAULTS.data})
  --schema <name>       Postgres schema, or ClickHouse database when the URL names none
                        (default ${EXPORT_DEFAULTS.schema})
  --views               also install the stitching views (threadline_identity_map,
                        threadline_stitched_events, threadline_users, threadline_first_touch)
  --batch-size <n>      events per insert (default ${EXPORT_DEFAULTS.batchSize})
  -h, --help            this help
`;

type Parsed = { help: true } | { help: false; options: ExportOptions } | { error: string };

/** `argv` after `export`. */
export function parseExportArgs(argv: string[]): Parsed {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        to: { type: "string" },
        data: { type: "string" },
        schema: { type: "string" },
        views: { type: "boolean" },
        "batch-size": { type: "string" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (error) {
    return { error: (error as Error).message };
  }
  if (values.help) return { help: true };
  if (values.to === undefined) return { error: "missing --to <url>" };
  const batchSize = values["batch-size"] === undefined ? undefined : Number(values["batch-size"]);
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    return { error: `--batch-size needs a positive integer, got "${values["batch-size"]}"` };
  }
  const options: ExportOptions = { to: values.to };
  if (values.data !== undefined) options.data = values.data;
  if (values.schema !== undefined) options.schema = values.schema;
  if (values.views) options.views = true;
  if (batchSize !== undefined) options.batchSize = batchSize;
  return { help: false, options };
}

/**
 * `threadline export`: a summary line on stdout; skipped lines and failures on stderr.
 * A failure is one line with its code and exit code 1, never a stack: the user needs to
 * know what to fix (the URL, the server), not where in threadline it was noticed.
 */
export async function runExport(argv: string[]): Promise<number> {
  const parsed = parseExportArgs(argv);
  if ("error" in parsed) {
    process.stderr.write(`threadline export: ${parsed.error}\n\n${EXPORT_USAGE}`);
    return 2;
  }
  if (parsed.help) {
    process.stdout.write(EXPORT_USAGE);
    return 0;
  }
  try {
    const result = await exportEvents(parsed.options);
    for (const { line, reason } of result.skippedLines) {
      process.stderr.write(`threadline export: skipped line ${line}: ${reason} (export_bad_line)\n`);
    }
    if (result.skipped > result.skippedLines.length) {
      process.stderr.write(
        `threadline export: … and ${result.skipped - result.skippedLines.length} more skipped lines\n`,
      );
    }
    const where = `${result.target} (${result.engine === "postgres" ? "schema" : "database"} ${result.schema})`;
    process.stdout.write(
      `threadline export: ${result.read} events read, ${result.loaded} loaded, ${result.existing} already there, ` +
        `${result.skipped} lines skipped → ${where}${result.views ? ", views installed" : ""}\n`,
    );
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = isThreadlineError(error) ? ` (${error.code})` : "";
    process.stderr.write(`threadline export: ${message}${code}\n`);
    return 1;
  }
}
