import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportEvents, type ExportOptions } from "../../src/dev/index.js";
import type { ThreadlineError } from "../../src/errors.js";
import { chRows, pgRows } from "./query.js";
import { freePort, startClickHouse, startPostgres, type RunningServer } from "./servers.mjs";

const run = promisify(execFile);
const outDir = resolve("test/.tmp");
const bundles = {
  cli: join(outDir, `export-cli-${process.pid}.mjs`),
  index: join(outDir, `export-index-${process.pid}.mjs`),
  dev: join(outDir, `export-dev-${process.pid}.mjs`),
};

let dir: string;
let postgres: RunningServer;
let clickhouse: RunningServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "threadline-export-"));
  mkdirSync(outDir, { recursive: true });
  // The CLI and entry points as plain-node ESM files; dependencies (pg) stay in node_modules,
  // so whether they load is observable.
  const bundle = (entry: string, outfile: string) =>
    build({
      entryPoints: [entry],
      bundle: true,
      packages: "external",
      platform: "node",
      format: "esm",
      target: "node20",
      outfile,
      logLevel: "silent",
    });
  [postgres, clickhouse] = await Promise.all([
    startPostgres(),
    startClickHouse(),
    bundle("src/dev/cli.ts", bundles.cli),
    bundle("src/index.ts", bundles.index),
    bundle("src/dev/index.ts", bundles.dev),
  ]);
}, 120_000);

afterAll(async () => {
  await Promise.all([postgres?.stop(), clickhouse?.stop()]);
  for (const file of Object.values(bundles)) rmSync(file, { force: true });
  if (dir) rmSync(dir, { recursive: true, force: true });
}, 60_000);

let files = 0;
function ndjson(lines: Array<unknown>, tail = ""): string {
  const file = join(dir, `events-${files++}.ndjson`);
  writeFileSync(
    file,
    lines.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n") + "\n" + tail,
  );
  return file;
}

const at = (s: number) => new Date(Date.UTC(2026, 2, 1, 12, 0, s, 250)).toISOString();
function track(id: string, extra: Record<string, unknown> = {}) {
  return {
    type: "track",
    messageId: id,
    anonymousId: "a-1",
    event: "Viewed",
    properties: {},
    timestamp: at(1),
    receivedAt: at(2),
    ...extra,
  };
}

const engines = [
  {
    name: "postgres",
    to: (schema: string) => ({ to: postgres.url, schema }),
    rows: (schema: string, sql: string) => pgRows(postgres.url, schema, sql),
  },
  {
    name: "clickhouse",
    to: (schema: string) => ({ to: `${clickhouse.url}${schema}` }),
    rows: (schema: string, sql: string) => chRows(clickhouse.url, schema, sql),
  },
] as const;

describe.each(engines)("export to $name", (engine) => {
  const target = (schema: string): ExportOptions => ({ ...engine.to(schema), data: "" });

  it("keeps unicode and quotes in properties, traits and names exactly", async () => {
    const properties = {
      note: `it's "quoted" \\ back\\slash`,
      emoji: "🧵 ünïcödé — 日本語",
      nested: { 'key "q"': ["a'b", 1.5, null, true] },
    };
    const traits = { name: 'Zoë "Z" O\'Neil', bio: "line\nbreak\ttab" };
    const file = ndjson([
      track("u-1", {
        event: `Clicked "Buy" — l'offre`,
        properties,
        context: { page: { url: "https://x.test/é?q='1'", title: 'Ti"tle' } },
      }),
      {
        type: "identify",
        messageId: "u-2",
        userId: "usér-1",
        anonymousId: "a-1",
        traits,
        timestamp: at(3),
        receivedAt: at(4),
      },
      {
        type: "page",
        messageId: "u-3",
        anonymousId: "a-1",
        name: "Página ‘inicio’",
        properties: {},
        timestamp: at(5),
        receivedAt: at(5),
      },
    ]);
    const result = await exportEvents({ ...target("unicode"), data: file });
    expect(result).toMatchObject({ read: 3, loaded: 3, existing: 0, skipped: 0 });
    const [tracked] = await engine.rows(
      "unicode",
      "SELECT event, event_text, properties, context_page_url, context_page_title FROM tracks",
    );
    expect(tracked).toMatchObject({
      event: "clicked_buy_l_offre",
      event_text: `Clicked "Buy" — l'offre`,
      context_page_url: "https://x.test/é?q='1'",
      context_page_title: 'Ti"tle',
    });
    expect(JSON.parse(String(tracked!.properties))).toEqual(properties);
    const [identified] = await engine.rows("unicode", "SELECT user_id, traits FROM identifies");
    expect(identified!.user_id).toBe("usér-1");
    expect(JSON.parse(String(identified!.traits))).toEqual(traits);
    const [paged] = await engine.rows("unicode", "SELECT name FROM pages");
    expect(paged!.name).toBe("Página ‘inicio’");
  });

  it("loading the same file twice adds nothing, views included", async () => {
    const file = ndjson([
      track("r-1"),
      track("r-2", { anonymousId: "a-2" }),
      {
        type: "identify",
        messageId: "r-3",
        userId: "u-1",
        anonymousId: "a-1",
        traits: {},
        timestamp: at(9),
        receivedAt: at(9),
      },
      { type: "alias", messageId: "r-4", userId: "u-1", previousId: "a-2", timestamp: at(10), receivedAt: at(10) },
    ]);
    const first = await exportEvents({ ...target("twice"), data: file, views: true, batchSize: 2 });
    expect(first).toMatchObject({ read: 4, loaded: 4, existing: 0, views: true });
    const second = await exportEvents({ ...target("twice"), data: file, views: true, batchSize: 2 });
    expect(second).toMatchObject({ read: 4, loaded: 0, existing: 4, views: true });
    const counts = await engine.rows(
      "twice",
      "SELECT (SELECT count(*) FROM tracks) AS tracks, (SELECT count(*) FROM identifies) AS identifies, (SELECT count(*) FROM aliases) AS aliases, (SELECT count(*) FROM threadline_stitched_events) AS stitched",
    );
    expect(counts.map((row) => Object.values(row).map(Number))).toEqual([[2, 1, 1, 4]]);
    const [user] = await engine.rows("twice", "SELECT user_id, devices, events FROM threadline_users");
    expect({ ...user, devices: Number(user!.devices), events: Number(user!.events) }).toEqual({
      user_id: "u-1",
      devices: 2,
      events: 4,
    });
  });

  it("skips a torn last line and bad lines, loads the rest and counts what it skipped", async () => {
    const file = ndjson(
      [
        track("t-1"),
        "{not json",
        { type: "nope", messageId: "t-x" },
        track("t-2"),
        { type: "track", event: "No id", anonymousId: "a" },
        "",
        track("t-3"),
      ],
      JSON.stringify(track("t-4")).slice(0, 40),
    );
    const bad: Array<ThreadlineError & { line: number }> = [];
    const result = await exportEvents({ ...target("torn"), data: file, onBadLine: (error) => bad.push(error) });
    expect(result).toMatchObject({ read: 3, loaded: 3, skipped: 4 });
    expect(result.skippedLines.map((skip) => skip.line)).toEqual([2, 3, 5, 8]);
    expect(bad.map((error) => [error.code, error.line])).toEqual([
      ["export_bad_line", 2],
      ["export_bad_line", 3],
      ["export_bad_line", 5],
      ["export_bad_line", 8],
    ]);
    const ids = await engine.rows("torn", "SELECT id FROM tracks ORDER BY id");
    expect(ids.map((row) => row.id)).toEqual(["t-1", "t-2", "t-3"]);
  });

  it("an unreachable server is a coded error (export_unreachable)", async () => {
    const port = await freePort();
    const to =
      engine.name === "postgres" ? `postgres://postgres@127.0.0.1:${port}/db` : `clickhouse://127.0.0.1:${port}/db`;
    const error = await exportEvents({ to, data: ndjson([track("x-1")]) }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ThreadlineError", code: "export_unreachable" });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
  });
});

describe("export's input errors", () => {
  it("a bad URL is export_bad_url, before anything connects", async () => {
    const data = ndjson([track("b-1")]);
    for (const to of ["mysql://127.0.0.1/db", "not a url", "", "clickhouse://127.0.0.1:8123/bad-name!"]) {
      await expect(exportEvents({ to, data }), to).rejects.toMatchObject({ code: "export_bad_url" });
    }
  });

  it("a missing file is export_failed and creates nothing", async () => {
    const error = await exportEvents({ to: postgres.url, schema: "missing", data: join(dir, "nope.ndjson") }).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({ code: "export_failed" });
    expect(await pgRows(postgres.url, "public", "SELECT nspname FROM pg_namespace WHERE nspname = 'missing'")).toEqual(
      [],
    );
  });
});

describe("threadline export (the CLI)", () => {
  const cli = (args: string[]) =>
    run(process.execPath, [bundles.cli, "export", ...args], { timeout: 60_000 }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({
        code: error.code,
        stdout: error.stdout,
        stderr: error.stderr,
      }),
    );

  it("loads a file, installs the views, and says what it did", async () => {
    const data = ndjson([track("c-1"), "{torn"]);
    const result = await cli(["--data", data, "--to", postgres.url, "--schema", "cli", "--views"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /1 events read, 1 loaded, 0 already there, 1 lines skipped → .*schema cli.*views installed/,
    );
    expect(result.stderr).toContain("skipped line 2: not JSON");
    expect(await pgRows(postgres.url, "cli", "SELECT id FROM threadline_events")).toEqual([{ id: "c-1" }]);
  });

  it.each(["postgres", "clickhouse"])(
    "an unreachable %s server: one line, its code, exit code 1, no stack",
    async (name) => {
      const port = await freePort();
      const result = await cli(["--data", ndjson([track("c-2")]), "--to", `${name}://127.0.0.1:${port}/db`]);
      expect(result.code).toBe(1);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toMatch(
        new RegExp(`^threadline export: cannot reach .*127\\.0\\.0\\.1:${port}.*\\(export_unreachable\\)\\n$`),
      );
      expect(result.stderr).not.toMatch(/\n\s+at /);
    },
  );

  it("shows a progress line on a terminal only", async () => {
    const data = ndjson([track("g-1"), track("g-2")]);
    const quiet = await cli(["--data", data, "--to", postgres.url, "--schema", "progress"]);
    expect(quiet.code).toBe(0);
    expect(quiet.stderr).toBe("");
    // script(1) gives the CLI a real pseudo-terminal.
    const command = [
      process.execPath,
      bundles.cli,
      "export",
      "--data",
      data,
      "--to",
      postgres.url,
      "--schema",
      "progress",
    ]
      .map((arg) => `'${arg}'`)
      .join(" ");
    const { stdout } = await run("script", ["-qec", command, "/dev/null"], { timeout: 60_000 });
    // Carriage return + "erase line" (ESC [2K), then the line, then a newline at the end.
    expect(stdout).toContain("\r\u001b[2Kthreadline export: 2 events read, 0 loaded · ");
    expect(stdout).toMatch(/threadline export: 2 events read, 0 loaded · [\d,]+\/s\r?\n/);
    expect(stdout).toContain("2 events read, 0 loaded, 2 already there");
  });

  it("a bad URL: exit code 1 and export_bad_url; a missing --to: usage, exit code 2", async () => {
    const bad = await cli(["--data", ndjson([track("c-3")]), "--to", "mysql://127.0.0.1/db"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^threadline export: unsupported URL scheme .*\(export_bad_url\)\n$/);
    const usage = await cli([]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("missing --to");
  });
});

describe("the package", () => {
  it("ships the SQL files", async () => {
    const { stdout } = await run("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { timeout: 60_000 });
    const files = (JSON.parse(stdout)[0].files as Array<{ path: string }>).map((file) => file.path);
    for (const engine of ["postgres", "clickhouse"]) {
      for (const view of ["identity-map", "stitched-events", "users", "first-touch"]) {
        expect(
          files.some((file) => file.startsWith(`sql/${engine}/`) && file.endsWith(`${view}.sql`)),
          `${engine} ${view}`,
        ).toBe(true);
      }
    }
  });
});

describe("the database clients load only on the export path", () => {
  it('import "threadline" and "threadline/dev" load no pg; an export to Postgres does', async () => {
    const script = join(outDir, `export-probe-${process.pid}.mjs`);
    writeFileSync(
      script,
      `import { createRequire } from "node:module";
const require = createRequire(${JSON.stringify(pathToFileURL(resolve("package.json")).href)});
const pgLoaded = () => Object.keys(require.cache).some((file) => /node_modules[\\\\/]pg[\\\\/]/.test(file));
const seen = {};
await import(${JSON.stringify(pathToFileURL(bundles.index).href)});
seen.index = pgLoaded();
const dev = await import(${JSON.stringify(pathToFileURL(bundles.dev).href)});
seen.dev = pgLoaded();
await dev.exportEvents({ to: process.argv[2], schema: "probe", data: process.argv[3] });
seen.afterExport = pgLoaded();
console.log(JSON.stringify(seen));
`,
    );
    try {
      const { stdout } = await run(process.execPath, [script, postgres.url, ndjson([track("p-1")])], {
        timeout: 60_000,
      });
      expect(JSON.parse(stdout)).toEqual({ index: false, dev: false, afterExport: true });
    } finally {
      rmSync(script, { force: true });
    }
  });
});
