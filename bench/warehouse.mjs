#!/usr/bin/env node
// `npm run bench:warehouse`: export throughput and view query times on real PostgreSQL and
// ClickHouse (started here, in temp directories, on free loopback ports), for 1 M generated
// events in the collector's NDJSON format. Writes its section of bench/RESULTS.md and
// bench/warehouse-results.json. `--events=N` for a smaller run.
import { once } from "node:events";
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { loadavg, cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import pg from "pg";
import { startClickHouse, startPostgres } from "../test/warehouse/servers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const EVENTS = Number(process.argv.find((arg) => arg.startsWith("--events="))?.slice(9) ?? 1_000_000);
const ONLY = process.argv
  .find((arg) => arg.startsWith("--only="))
  ?.slice(7)
  .split(",");
const dist = join(root, "dist/dev.js");
if (!existsSync(dist)) throw new Error("dist/dev.js is missing: run `npm run build` (npm run bench:warehouse does)");
const { exportEvents } = await import(pathToFileURL(dist).href);

/** A deterministic stream of visitor journeys, as the collector stores them. */
async function generate(file, total) {
  const out = createWriteStream(file);
  let state = 42;
  const rnd = () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const pick = (items) => items[Math.floor(rnd() * items.length)];
  let written = 0;
  let serial = 0;
  const base = Date.UTC(2026, 0, 1);
  const write = async (message) => {
    written += 1;
    const at = new Date(message.timestamp);
    const line = JSON.stringify({
      ...message,
      timestamp: at.toISOString(),
      messageId: `m-${serial++}`,
      receivedAt: at.toISOString(),
    });
    if (!out.write(line + "\n")) await once(out, "drain");
  };
  for (let j = 0; written < total; j += 1) {
    let at = base + Math.floor(rnd() * 90 * 86_400_000);
    const device = `anon-${j}`;
    const user = `user-${j}`;
    const context = (path) => ({
      ip: "203.0.113.9",
      userAgent: "Mozilla/5.0 (bench)",
      page: {
        path,
        url: `https://shop.example${path}?utm_source=${pick(["google", "newsletter", "partner"])}&utm_medium=cpc`,
        referrer: "https://www.google.com/",
      },
      ...(rnd() < 0.3 ? { campaign: { source: "launch-mail", medium: "email", name: "launch" } } : {}),
    });
    const browse = async (ids, n) => {
      for (let i = 0; i < n && written < total; i += 1) {
        at += Math.floor(rnd() * 60_000);
        const path = pick(["/", "/pricing", "/docs", "/signup"]);
        if (rnd() < 0.5)
          await write({
            type: "page",
            ...ids,
            name: path,
            properties: { path },
            context: context(path),
            timestamp: at,
          });
        else
          await write({
            type: "track",
            ...ids,
            event: pick(["Viewed Pricing", "Clicked CTA", "Order Completed"]),
            properties: { value: j % 100 },
            context: context(path),
            timestamp: at,
          });
      }
    };
    await browse({ anonymousId: device }, 1 + Math.floor(rnd() * 4));
    const kind = rnd();
    if (kind < 0.25) continue;
    if (kind < 0.85) {
      await write({
        type: "identify",
        userId: user,
        anonymousId: device,
        traits: { plan: "free" },
        context: context("/signup"),
        timestamp: (at += 1000),
      });
      await browse({ userId: user, anonymousId: device }, Math.floor(rnd() * 6));
      if (rnd() < 0.25) {
        const second = `anon-${j}-b`;
        await browse({ anonymousId: second }, 1 + Math.floor(rnd() * 2));
        await write({ type: "identify", userId: user, anonymousId: second, traits: {}, timestamp: (at += 1000) });
      }
    } else {
      await write({ type: "alias", userId: user, previousId: device, timestamp: (at += 1000) });
      await browse({ userId: user }, 1 + Math.floor(rnd() * 3));
    }
  }
  out.end();
  await once(out, "finish");
}

async function timed(fn) {
  const started = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, value };
}

const QUERIES = {
  postgres: {
    "count threadline_identity_map": "SELECT count(*) FROM threadline_identity_map",
    "count threadline_stitched_events": "SELECT count(*) FROM threadline_stitched_events",
    "count threadline_users": "SELECT count(*) FROM threadline_users",
    "count threadline_first_touch": "SELECT count(*) FROM threadline_first_touch",
    "one user's journey (stitched_events WHERE user_id = …)":
      "SELECT * FROM threadline_stitched_events WHERE user_id = 'user-4242' ORDER BY \"timestamp\"",
  },
  clickhouse: {
    "count threadline_identity_map": "SELECT count() FROM threadline_identity_map",
    "count threadline_stitched_events": "SELECT count() FROM threadline_stitched_events",
    "count threadline_users": "SELECT count() FROM threadline_users",
    "count threadline_first_touch": "SELECT count() FROM threadline_first_touch",
    "one user's journey (stitched_events WHERE user_id = …)":
      "SELECT * FROM threadline_stitched_events WHERE user_id = 'user-4242' ORDER BY timestamp_ms",
  },
};

/** The README's recipe queries, as the tests run them. */
function readmeQueries(engine) {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  return Object.fromEntries(
    [...readme.matchAll(/```sql\n-- (postgres|clickhouse): ([^\n(]+)[^\n]*\n([\s\S]*?)```/g)]
      .filter(([, e]) => e === engine)
      .map(([, , title, sql]) => [`README: ${title.trim()}`, sql.trim().replace(/;$/, "")]),
  );
}

async function pgQuery(url, sql) {
  const client = new pg.Client({ connectionString: url, options: "-c search_path=bench" });
  await client.connect();
  try {
    return (await client.query(sql)).rowCount;
  } finally {
    await client.end();
  }
}

async function chQuery(url, sql) {
  const res = await fetch(`${url.replace(/^clickhouse:/, "http:")}?database=bench`, {
    method: "POST",
    body: `${sql} FORMAT TabSeparated`,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(text);
  return text.split("\n").filter(Boolean).length;
}

const dir = mkdtempSync(join(tmpdir(), "threadline-bench-warehouse-"));
const file = join(dir, "events.ndjson");
const loadStart = loadavg();
const results = {
  events: EVENTS,
  node: process.version,
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? "?"}`,
  at: new Date().toISOString(),
  engines: {},
};
let postgres;
let clickhouse;
try {
  const generated = await timed(() => generate(file, EVENTS));
  results.fileMiB = Math.round(statSync(file).size / 1048576);
  console.log(
    `generated ${EVENTS.toLocaleString("en")} events (${results.fileMiB} MiB) in ${(generated.ms / 1000).toFixed(1)} s`,
  );
  // An hour: a full run takes a quarter of one on a busy 2-core machine.
  [postgres, clickhouse] = await Promise.all([
    startPostgres({ limitSeconds: 3600 }),
    startClickHouse({ limitSeconds: 3600 }),
  ]);
  const targets = { postgres: { to: postgres.url, schema: "bench" }, clickhouse: { to: `${clickhouse.url}bench` } };
  for (const [engine, target] of Object.entries(targets)) {
    if (ONLY && !ONLY.includes(engine)) continue;
    const first = await timed(() => exportEvents({ data: file, ...target, progress: false }));
    const again = await timed(() => exportEvents({ data: file, ...target, views: true, progress: false }));
    if (first.value.loaded !== EVENTS || again.value.loaded !== 0)
      throw new Error(`${engine}: loaded ${first.value.loaded}, then ${again.value.loaded}`);
    const queries = {};
    results.engines[engine] = {
      exportSeconds: first.ms / 1000,
      eventsPerSecond: Math.round(EVENTS / (first.ms / 1000)),
      reloadSeconds: again.ms / 1000,
      reloadEventsPerSecond: Math.round(EVENTS / (again.ms / 1000)),
      queries,
    };
    console.log(
      `${engine}: export ${Math.round(EVENTS / (first.ms / 1000)).toLocaleString("en")} events/s; reload (nothing new) ${(again.ms / 1000).toFixed(1)} s`,
    );
    const run = engine === "postgres" ? (sql) => pgQuery(postgres.url, sql) : (sql) => chQuery(clickhouse.url, sql);
    for (const [name, sql] of Object.entries({ ...QUERIES[engine], ...readmeQueries(engine) })) {
      // Twice: the first run warms caches; both are reported. A failure is recorded, not fatal.
      try {
        const cold = await timed(() => run(sql));
        const warm = await timed(() => run(sql));
        queries[name] = { coldMs: Math.round(cold.ms), warmMs: Math.round(warm.ms), rows: warm.value };
        console.log(`${engine}: ${name}: ${Math.round(cold.ms)} / ${Math.round(warm.ms)} ms`);
      } catch (error) {
        queries[name] = { error: String(error?.cause?.message ?? error?.message ?? error).slice(0, 200) };
        console.log(`${engine}: ${name}: FAILED ${queries[name].error}`);
        if (engine === "clickhouse") console.log(clickhouse.errorLog());
      }
    }
  }
} finally {
  await Promise.all([postgres?.stop(), clickhouse?.stop()]);
  rmSync(dir, { recursive: true, force: true });
}
results.load = { start: loadStart.map((n) => n.toFixed(2)), end: loadavg().map((n) => n.toFixed(2)) };
const jsonFile = join(root, "bench/warehouse-results.json");
// --only=<engine> reruns one engine and keeps the other's figures from the previous run.
if (ONLY && existsSync(jsonFile)) {
  const previous = JSON.parse(readFileSync(jsonFile, "utf8"));
  if (previous.events === EVENTS) {
    for (const [engine, figures] of Object.entries(previous.engines)) {
      if (!ONLY.includes(engine)) results.engines[engine] = { ...figures, run: previous.at, load: previous.load };
    }
  }
}
writeFileSync(jsonFile, JSON.stringify(results, null, 2) + "\n");

// bench/RESULTS.md: only our own section, between markers, so the rest of the file is untouched.
const fmt = (n) => n.toLocaleString("en");
const lines = [
  "<!-- warehouse:start -->",
  "## Warehouse export and stitching views",
  "",
  `Generated by \`npm run bench:warehouse\` (\`bench/warehouse.mjs\`) on ${results.at}: ${fmt(EVENTS)} generated events ` +
    `(${results.fileMiB} MiB of collector NDJSON), Node ${results.node}, ${results.cpus}; load average ${results.load.start.join(" / ")} ` +
    `at start, ${results.load.end.join(" / ")} at end (the machine was shared)` +
    Object.entries(results.engines)
      .filter(([, r]) => r.run)
      .map(([engine, r]) => `; ${engine} from the run of ${r.run} (load ${r.load.start.join(" / ")})`)
      .join("") +
    ". Servers: Debian's PostgreSQL 15 (fsync off) and " +
    "ClickHouse 18.16, started by the script on loopback. Export = `exportEvents()` with the default batch of 10,000; " +
    "reload = the same file again with `views: true` (every id already there: the idempotency check alone, plus installing the views).",
  "",
  "| engine | export events/s | export s | reload s |",
  "| --- | ---: | ---: | ---: |",
  ...Object.entries(results.engines).map(
    ([engine, r]) =>
      `| ${engine} | ${fmt(r.eventsPerSecond)} | ${r.exportSeconds.toFixed(1)} | ${r.reloadSeconds.toFixed(1)} |`,
  ),
  "",
  "View queries over the loaded events (cold / warm ms; rows returned):",
  "",
  "| query | postgres | clickhouse |",
  "| --- | ---: | ---: |",
  ...Object.keys({ ...QUERIES.postgres, ...readmeQueries("postgres") }).map((name) => {
    const cell = (engine) => {
      const q = results.engines[engine]?.queries[name];
      if (!q) return "–";
      return q.error
        ? `failed: ${q.error.replace(/\|/g, "\\|")}`
        : `${fmt(q.coldMs)} / ${fmt(q.warmMs)} (${fmt(q.rows)})`;
    };
    return `| ${name} | ${cell("postgres")} | ${cell("clickhouse")} |`;
  }),
  "<!-- warehouse:end -->",
];
const resultsFile = join(root, "bench/RESULTS.md");
const current = existsSync(resultsFile) ? readFileSync(resultsFile, "utf8") : "";
const section = lines.join("\n");
const marked = /<!-- warehouse:start -->[\s\S]*<!-- warehouse:end -->/;
writeFileSync(
  resultsFile,
  marked.test(current) ? current.replace(marked, section) : `${current.trimEnd()}\n\n${section}\n`,
);
console.log(`wrote bench/RESULTS.md (warehouse section) and bench/warehouse-results.json`);
