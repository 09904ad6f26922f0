import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  exportEvents,
  startCollector,
  type Collector,
  type UserJourney,
  type UserSummary,
} from "../../src/dev/index.js";
import { removeClientBundle, sendWithRealClient } from "./client.js";
import { generateJourneys } from "./journeys.js";
import { chRows, pgRows } from "./query.js";
import { startClickHouse, startPostgres, type RunningServer } from "./servers.mjs";

/*
 * The same rules in three places: the collector's /dev/users/:id, the Postgres views and
 * the ClickHouse views, over the same events (sent by the real client into the collector,
 * exported from its file). Seeded; THREADLINE_SEED=<n> reproduces a failing run.
 */
const SEED = Number(process.env.THREADLINE_SEED ?? Math.floor(Math.random() * 2 ** 31));
const JOURNEYS = 2000;
/**
 * The journeys go to several collectors (disjoint users, each with its own file), all
 * exported into one schema: /dev/users/:id restitches the collector's whole history on
 * each request, so one collector holding every journey would take minutes to ask.
 */
const SHARDS = 8;
const SCHEMA = "stitching";

interface Facts {
  anonymousIds: string[];
  events: string[];
  devices: number;
  identifiedAt: number | null;
  firstSeenAt: number | null;
  firstTouch: { source: string | null; medium: string | null; campaign: string | null; referrer: string | null } | null;
}

let dir: string;
let collectors: Collector[];
let postgres: RunningServer;
let clickhouse: RunningServer;
let dataFiles: string[];
let expected: Map<string, UserJourney>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "threadline-warehouse-"));
  dataFiles = Array.from({ length: SHARDS }, (_, shard) => join(dir, `events-${shard}.ndjson`));
  const servers = Promise.all([startPostgres(), startClickHouse()]);
  // A share of requests fails, so the client's retries are part of the run too.
  collectors = await Promise.all(
    dataFiles.map((dataFile) => startCollector({ port: 0, dataFile, quiet: true, faults: { failRate: 0.05 } })),
  );
  for (const [shard, collector] of collectors.entries()) {
    const calls = generateJourneys(SEED + shard, JOURNEYS / SHARDS);
    await sendWithRealClient(collector.url, calls, {
      flushAt: 50,
      maxRetries: 20,
      minRetryDelay: 5,
      maxRetryDelay: 50,
    });
  }
  expected = new Map();
  for (const collector of collectors) {
    const summaries = ((await (await fetch(`${collector.url}/dev/users`)).json()) as { users: UserSummary[] }).users;
    for (const { userId } of summaries) {
      const journey = (await (
        await fetch(`${collector.url}/dev/users/${encodeURIComponent(userId)}`)
      ).json()) as UserJourney;
      expected.set(journey.userId, journey);
    }
  }
  [postgres, clickhouse] = await servers;
  for (const [shard, data] of dataFiles.entries()) {
    const views = shard === SHARDS - 1;
    await Promise.all([
      exportEvents({ data, to: postgres.url, schema: SCHEMA, views }),
      exportEvents({ data, to: `${clickhouse.url}${SCHEMA}`, views }),
    ]);
  }
}, 180_000);

afterAll(async () => {
  await Promise.all([...(collectors ?? []).map((c) => c.close()), postgres?.stop(), clickhouse?.stop()]);
  if (dir) rmSync(dir, { recursive: true, force: true });
  removeClientBundle();
}, 60_000);

/** When an event happened as the collector orders it: its timestamp, else its arrival. */
function time(event: { timestamp?: unknown; receivedAt?: unknown }): number {
  const stamp = typeof event.timestamp === "string" ? Date.parse(event.timestamp) : Number(event.timestamp);
  return Number.isFinite(stamp) ? stamp : Date.parse(String(event.receivedAt));
}

function collectorFacts(journey: UserJourney, toUnit: (ms: number) => number): Facts {
  return {
    anonymousIds: [...journey.anonymousIds].sort(),
    events: journey.events.map((event) => `${event.messageId}:${event.phase}`).sort(),
    devices: journey.devices,
    identifiedAt: journey.identifiedAt === null ? null : toUnit(Date.parse(journey.identifiedAt)),
    firstSeenAt: journey.events.length === 0 ? null : toUnit(time(journey.events[0]!)),
    firstTouch: journey.firstTouch,
  };
}

type Row = Record<string, unknown>;

/** The same facts from an engine's four views. */
function warehouseFacts(
  map: Row[],
  stitched: Row[],
  users: Row[],
  touches: Row[],
  toUnit: (value: unknown) => number | null,
) {
  const facts = new Map<string, Facts>();
  for (const user of users) {
    facts.set(String(user.user_id), {
      anonymousIds: [],
      events: [],
      devices: Number(user.devices),
      identifiedAt: toUnit(user.identified_at),
      firstSeenAt: toUnit(user.first_seen_at),
      firstTouch: null,
    });
  }
  const of = (id: unknown) =>
    facts.get(String(id)) ?? {
      anonymousIds: [],
      events: [],
      devices: -1,
      identifiedAt: null,
      firstSeenAt: null,
      firstTouch: null,
    };
  for (const row of map) of(row.user_id).anonymousIds.push(String(row.anonymous_id));
  for (const row of stitched) of(row.user_id).events.push(`${row.id}:${row.phase}`);
  for (const row of touches) {
    of(row.user_id).firstTouch = {
      source: (row.source as string | null) ?? null,
      medium: (row.medium as string | null) ?? null,
      campaign: (row.campaign as string | null) ?? null,
      referrer: (row.referrer as string | null) ?? null,
    };
  }
  for (const fact of facts.values()) {
    fact.anonymousIds.sort();
    fact.events.sort();
  }
  return facts;
}

function compare(engine: string, actual: Map<string, Facts>, toUnit: (ms: number) => number): string[] {
  const problems: string[] = [];
  for (const [userId, journey] of expected) {
    const want = collectorFacts(journey, toUnit);
    const got = actual.get(userId);
    if (!got) {
      problems.push(`${engine}: user ${userId} missing`);
      continue;
    }
    for (const key of Object.keys(want) as Array<keyof Facts>) {
      if (JSON.stringify(want[key]) !== JSON.stringify(got[key])) {
        problems.push(
          `${engine}: user ${userId} ${key}: collector ${JSON.stringify(want[key])} vs ${JSON.stringify(got[key])}`,
        );
      }
    }
  }
  for (const userId of actual.keys()) if (!expected.has(userId)) problems.push(`${engine}: extra user ${userId}`);
  return problems;
}

function report(problems: string[]): string {
  return `seed ${SEED} (rerun with THREADLINE_SEED=${SEED}): ${problems.length} differences\n${problems.slice(0, 15).join("\n")}`;
}

describe(`collector, Postgres and ClickHouse stitch alike (seed ${SEED})`, () => {
  it("the generated data covers every case the rules distinguish", () => {
    const journeys = [...expected.values()];
    const lines = dataFiles.flatMap((file) =>
      readFileSync(file, "utf8")
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line)),
    );
    const anonymousOnly = new Set(lines.filter((m) => !m.userId).map((m) => m.anonymousId));
    for (const journey of journeys) for (const id of journey.anonymousIds) anonymousOnly.delete(id);
    const sharedDevices = new Map<string, number>();
    for (const journey of journeys)
      for (const id of journey.anonymousIds) sharedDevices.set(id, (sharedDevices.get(id) ?? 0) + 1);
    const stamps = new Map<string, number>();
    for (const m of lines) stamps.set(m.timestamp, (stamps.get(m.timestamp) ?? 0) + 1);
    const outOfOrder = lines.filter(
      (m, i) => i > 0 && Date.parse(m.timestamp) < Date.parse(lines[i - 1].timestamp),
    ).length;
    expect(expected.size, `seed ${SEED}`).toBeGreaterThan(JOURNEYS);
    expect(journeys.filter((j) => j.devices >= 2).length).toBeGreaterThan(100);
    expect(lines.filter((m) => m.type === "alias").length).toBeGreaterThan(100);
    expect([...sharedDevices.values()].filter((n) => n >= 2).length).toBeGreaterThan(100);
    expect(anonymousOnly.size).toBeGreaterThan(100);
    expect([...stamps.values()].filter((n) => n >= 2).length).toBeGreaterThan(100);
    expect(outOfOrder).toBeGreaterThan(100);
    expect(journeys.filter((j) => j.identifiedAt === null || j.firstTouch === null).length).toBe(0);
  });

  it("Postgres: every user's anonymous ids, events, identified_at, first_seen_at, devices and first touch", async () => {
    const q = (sql: string) => pgRows(postgres.url, SCHEMA, sql);
    const [map, stitched, users, touches] = await Promise.all([
      q("SELECT user_id, anonymous_id FROM threadline_identity_map"),
      q("SELECT user_id, id, phase FROM threadline_stitched_events"),
      q("SELECT user_id, devices, identified_at, first_seen_at, events FROM threadline_users"),
      q("SELECT user_id, source, medium, campaign, referrer FROM threadline_first_touch"),
    ]);
    const ms = (value: unknown) => (value instanceof Date ? value.getTime() : null);
    const problems = compare("postgres", warehouseFacts(map, stitched, users, touches, ms), (t) => t);
    expect(problems, report(problems)).toEqual([]);
    // Each (user, anonymous id) once; each event once per user.
    expect(new Set(map.map((r) => `${r.user_id}\u0000${r.anonymous_id}`)).size).toBe(map.length);
    expect(new Set(stitched.map((r) => `${r.user_id}\u0000${r.id}`)).size).toBe(stitched.length);
  });

  it("ClickHouse: the same facts, timestamps to the second", async () => {
    const q = (sql: string) => chRows(clickhouse.url, SCHEMA, sql);
    const [map, stitched, users, touches] = await Promise.all([
      q("SELECT user_id, anonymous_id FROM threadline_identity_map"),
      q("SELECT user_id, id, phase FROM threadline_stitched_events"),
      q(
        "SELECT user_id, devices, toUnixTimestamp(identified_at) AS identified_at, toUnixTimestamp(first_seen_at) AS first_seen_at, events FROM threadline_users",
      ),
      q("SELECT user_id, source, medium, campaign, referrer FROM threadline_first_touch"),
    ]);
    const seconds = (value: unknown) => (value === null || value === undefined ? null : Number(value));
    const problems = compare("clickhouse", warehouseFacts(map, stitched, users, touches, seconds), (t) =>
      Math.floor(t / 1000),
    );
    expect(problems, report(problems)).toEqual([]);
    expect(new Set(map.map((r) => `${r.user_id}\u0000${r.anonymous_id}`)).size).toBe(map.length);
    expect(new Set(stitched.map((r) => `${r.user_id}\u0000${r.id}`)).size).toBe(stitched.length);
  });
});

describe("the README's warehouse queries run on both engines", () => {
  const readme = readFileSync(join(__dirname, "../../README.md"), "utf8");
  const blocks = [...readme.matchAll(/```sql\n-- (postgres|clickhouse): ([^\n]+)\n([\s\S]*?)```/g)].map(
    ([, engine, title, sql]) => ({ engine: engine!, title: title!, sql: sql! }),
  );

  it("the README has the four queries for each engine", () => {
    const titles = (engine: string) => blocks.filter((b) => b.engine === engine).map((b) => b.title.split(" (")[0]);
    const expectedTitles = ["first touch per user", "pre-login behaviour", "time to conversion", "multi-device"];
    expect(titles("postgres")).toEqual(expectedTitles);
    expect(titles("clickhouse")).toEqual(expectedTitles);
  });

  it.each(["postgres", "clickhouse"])(
    "%s: each returns rows, and the multi-device one agrees with the collector",
    async (engine) => {
      for (const block of blocks.filter((b) => b.engine === engine)) {
        const rows =
          engine === "postgres"
            ? await pgRows(postgres.url, SCHEMA, block.sql)
            : await chRows(clickhouse.url, SCHEMA, block.sql);
        expect(rows.length, `${engine}: ${block.title}`).toBeGreaterThan(0);
        if (block.title.startsWith("multi-device")) {
          for (const row of rows) {
            const journey = expected.get(String(row.user_id))!;
            expect(Number(row.devices ?? row.device_count)).toBe(journey.devices);
            expect(String(row.anonymous_ids).split(", ")).toEqual([...journey.anonymousIds].sort());
          }
        }
        if (block.title.startsWith("time to conversion")) expect(Number(rows[0]!.users)).toBe(expected.size);
      }
    },
  );
});
