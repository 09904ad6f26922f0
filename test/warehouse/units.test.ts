import { describe, expect, it } from "vitest";
import { parseExportArgs } from "../../src/dev/export/cli.js";
import { progressLine } from "../../src/dev/export/progress.js";
import { eventSlug, toRow } from "../../src/dev/export/rows.js";
import { parseTarget } from "../../src/dev/export/target.js";

// The export's pure parts, in-process (the engines are in export.test.ts and differential.test.ts).

describe("threadline export's arguments", () => {
  it("reads every flag", () => {
    expect(
      parseExportArgs([
        "--to",
        "postgres://h/db",
        "--data",
        "f.ndjson",
        "--schema",
        "s",
        "--views",
        "--batch-size",
        "7",
      ]),
    ).toEqual({
      help: false,
      options: { to: "postgres://h/db", data: "f.ndjson", schema: "s", views: true, batchSize: 7 },
    });
    expect(parseExportArgs(["--to", "clickhouse://h/db"])).toEqual({
      help: false,
      options: { to: "clickhouse://h/db" },
    });
    expect(parseExportArgs(["-h"])).toEqual({ help: true });
  });

  it("says what is wrong with bad arguments", () => {
    expect(parseExportArgs([])).toEqual({ error: "missing --to <url>" });
    expect(parseExportArgs(["--to", "x", "--batch-size", "0"])).toEqual({
      error: '--batch-size needs a positive integer, got "0"',
    });
    expect(parseExportArgs(["--to", "x", "--batch-size", "2.5"])).toMatchObject({
      error: expect.stringContaining("positive integer"),
    });
    expect(parseExportArgs(["--nope"])).toMatchObject({ error: expect.stringContaining("--nope") });
  });
});

describe("the export's target URL", () => {
  it("reads Postgres and ClickHouse URLs, hiding the password in what it shows", () => {
    expect(parseTarget("postgresql://u:secret@db.local:6543/app", "threadline")).toEqual({
      engine: "postgres",
      url: "postgresql://u:secret@db.local:6543/app",
      schema: "threadline",
      display: "postgresql://u:***@db.local:6543/app",
    });
    expect(parseTarget("clickhouse://ch.local", "events")).toEqual({
      engine: "clickhouse",
      host: "ch.local",
      port: 8123,
      database: "events",
      display: "clickhouse://ch.local",
    });
    expect(parseTarget("clickhouse://me:p%40ss@[::1]:9999/analytics", "threadline")).toMatchObject({
      host: "::1",
      port: 9999,
      user: "me",
      password: "p@ss",
      database: "analytics",
      display: "clickhouse://me:***@[::1]:9999/analytics",
    });
  });

  it("refuses what it cannot use, with a code", () => {
    expect(() => parseTarget("postgres://h/db", "bad schema")).toThrow(expect.objectContaining({ code: "config" }));
    expect(() => parseTarget("postgres:///db", "threadline")).toThrow(
      expect.objectContaining({ code: "export_bad_url" }),
    );
    expect(() => parseTarget("https://h/db", "threadline")).toThrow(
      expect.objectContaining({ code: "export_bad_url" }),
    );
  });
});

describe("a stored message as a warehouse row", () => {
  const base = { messageId: "m", receivedAt: "2026-01-01T00:00:01.000Z", timestamp: "2026-01-01T00:00:00.500Z" };

  it("gives the reason when a line is not an event", () => {
    expect(toRow([1], 1)).toEqual({ reason: "not a JSON object" });
    expect(toRow({ ...base, type: "nope", anonymousId: "a" }, 1)).toEqual({ reason: 'unknown type "nope"' });
    expect(toRow({ type: "track", event: "E", anonymousId: "a" }, 1)).toEqual({ reason: "no messageId" });
    expect(toRow({ ...base, type: "track", event: "E", userId: "" }, 1)).toEqual({
      reason: "no userId or anonymousId",
    });
    expect(
      toRow({ type: "page", messageId: "m", anonymousId: "a", timestamp: "never", receivedAt: "never" }, 1),
    ).toEqual({
      reason: "no parseable timestamp or receivedAt",
    });
  });

  it("numbers as ids become text, empty strings NULL, a missing timestamp the arrival time", () => {
    const converted = toRow(
      {
        type: "group",
        messageId: "m",
        userId: 42,
        anonymousId: "",
        groupId: 7,
        traits: { plan: "pro" },
        receivedAt: base.receivedAt,
        context: { page: { url: "" }, session: { sessionId: "s", sessionIndex: 2 } },
      },
      9,
    );
    expect(converted).toEqual({
      table: "groups",
      row: expect.objectContaining({
        user_id: "42",
        anonymous_id: null,
        group_id: "7",
        traits: '{"plan":"pro"}',
        context_page_url: null,
        context_session_id: "s",
        context_session_index: 2,
        timestamp: Date.parse(base.receivedAt),
        arrival: 9,
      }),
    });
    const alias = toRow({ ...base, type: "alias", userId: "u", previousId: "a", timestamp: 1767225600000 }, 1);
    expect(alias).toMatchObject({ table: "aliases", row: { previous_id: "a", timestamp: 1767225600000 } });
    const screen = toRow({ ...base, type: "screen", anonymousId: "a", name: "Home", properties: [1] }, 1);
    expect(screen).toMatchObject({ table: "screens", row: { name: "Home", category: null, properties: "{}" } });
    const identify = toRow({ ...base, type: "identify", userId: "u" }, 1);
    expect(identify).toMatchObject({
      table: "identifies",
      row: { traits: "{}", received_at: Date.parse(base.receivedAt) },
    });
  });

  it("slugs event names as Segment's event column does", () => {
    expect(eventSlug("Order Completed")).toBe("order_completed");
    expect(eventSlug(`  Clicked "Buy" — now!`)).toBe("clicked_buy_now");
    expect(toRow({ ...base, type: "track", anonymousId: "a", event: "!!!" }, 1)).toMatchObject({
      row: { event: null, event_text: "!!!" },
    });
  });
});

describe("the progress line", () => {
  function stream() {
    const writes: string[] = [];
    return { writes, stream: { write: (text: string) => writes.push(text) } as unknown as NodeJS.WriteStream };
  }

  it("off: writes nothing", () => {
    const out = stream();
    const progress = progressLine(false, out.stream);
    progress.update(10, 10);
    progress.done();
    expect(out.writes).toEqual([]);
  });

  it("on: rewrites one line in place, throttled, and ends it", () => {
    const out = stream();
    const progress = progressLine(true, out.stream);
    progress.update(1000, 900);
    progress.update(2000, 1800); // within the throttle window: not drawn
    progress.done();
    expect(out.writes[0]?.startsWith("\r\u001b[2K")).toBe(true); // carriage return + erase line
    expect(out.writes[0]).toMatch(/threadline export: 1,000 events read, 900 loaded · [\d,]+\/s$/);
    expect(out.writes.slice(1)).toEqual([expect.stringContaining("2,000 events read, 1,800 loaded"), "\n"]);
  });

  it("on, with nothing read: no line at all", () => {
    const out = stream();
    progressLine(true, out.stream).done();
    expect(out.writes).toEqual([]);
  });
});
