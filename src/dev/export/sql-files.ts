import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ThreadlineError } from "../../errors.js";

export type Engine = "postgres" | "clickhouse";

/**
 * This module's directory, in the ESM build, the CJS build and the source alike. Not
 * `import.meta.url`: the CJS build keeps it verbatim and fails to parse; V8's call sites
 * name the file in every format.
 */
function here(): string {
  const original = Error.prepareStackTrace;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    const frames = new Error().stack as unknown as NodeJS.CallSite[];
    const file = frames[0]?.getFileName() ?? "";
    return dirname(file.startsWith("file:") ? fileURLToPath(file) : file);
  } finally {
    Error.prepareStackTrace = original;
  }
}

/** The package's `sql/` folder: beside `dist/` once installed, beside `src/` in a checkout. */
export function sqlDirectory(): string {
  let dir = here();
  for (let depth = 0; depth < 5; depth += 1) {
    if (existsSync(join(dir, "sql", "postgres"))) return join(dir, "sql");
    dir = dirname(dir);
  }
  throw new ThreadlineError("export_failed", `the package's sql/ folder is missing (looked above ${here()})`);
}

/**
 * The SQL of one engine's files, in file-name order. Postgres takes a whole file at once
 * (its function bodies hold `;`); ClickHouse's HTTP interface one statement per request,
 * so its files are split where a `;` ends a line.
 */
export function sqlStatements(engine: Engine, which: "tables" | "views"): Array<{ file: string; sql: string }> {
  const dir = join(sqlDirectory(), engine);
  const files = readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .filter((name) => (which === "tables" ? name.endsWith("-tables.sql") : !name.endsWith("-tables.sql")))
    .sort();
  return files.flatMap((file) => {
    const text = readFileSync(join(dir, file), "utf8");
    if (engine === "postgres") return [{ file, sql: text }];
    return text
      .split(/;[ \t]*$/m)
      .filter((sql) => sql.replace(/--.*$/gm, "").trim() !== "")
      .map((sql) => ({ file, sql: sql.trim() }));
  });
}
