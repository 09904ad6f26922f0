import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCollector, type Collector } from "../../src/dev/index.js";
import { get, post } from "./helpers.js";

const day = (d: number, hour = 12): string => new Date(Date.UTC(2026, 2, d, hour)).toISOString();
let n = 0;
const msg = (type: string, timestamp: string, fields: Record<string, unknown>) => ({
  type,
  messageId: `s-${++n}`,
  timestamp,
  ...(type === "track" && !fields.event ? { event: "Clicked" } : {}),
  ...fields,
});

/*
 * One data set, sent out of time order on purpose:
 * - alice: laptop (L) from a Facebook ad on day 1, phone (P) on day 2, signs up on L on day 3,
 *   signs in on P on day 4, then uses both.
 * - zed: an anonymous id that never signs in.
 * - bob: browses as B, then an alias links B to him; he never sends identify.
 * - carol and dave share a kiosk (K): anonymous browsing, then each signs in on it.
 */
const batch = [
  msg("track", day(5), { userId: "alice", anonymousId: "P", event: "Viewed Report" }),
  msg("page", day(1, 9), {
    anonymousId: "L",
    name: "Landing",
    context: {
      page: {
        url: "https://shop.test/?utm_source=facebook&utm_medium=paid&utm_campaign=spring",
        referrer: "https://facebook.com/",
      },
    },
  }),
  msg("page", day(1, 10), { anonymousId: "L", name: "Pricing" }),
  msg("page", day(2), { anonymousId: "P", name: "Pricing" }),
  msg("identify", day(3), { userId: "alice", anonymousId: "L", traits: { email: "a@x.test" } }),
  msg("track", day(3, 13), { userId: "alice", event: "Signed Up" }),
  msg("identify", day(4), { userId: "alice", anonymousId: "P" }),
  msg("page", day(1), { anonymousId: "Z", name: "Blog" }),
  msg("track", day(2), { anonymousId: "Z", event: "Newsletter Opened" }),
  msg("page", day(1), {
    anonymousId: "B",
    name: "Docs",
    context: {
      campaign: { source: "google", medium: "cpc", name: "docs" },
      page: { url: "https://x.test/?utm_source=ignored" },
    },
  }),
  msg("alias", day(2), { userId: "bob", previousId: "B" }),
  msg("track", day(3), { userId: "bob", event: "Upgraded" }),
  msg("page", day(1), { anonymousId: "K", name: "Kiosk Home" }),
  msg("identify", day(2), { userId: "carol", anonymousId: "K" }),
  msg("track", day(2, 13), { userId: "carol", anonymousId: "K", event: "Carol Only" }),
  msg("identify", day(3), { userId: "dave", anonymousId: "K" }),
  msg("track", day(3, 13), { userId: "dave", anonymousId: "K", event: "Dave Only" }),
  msg("page", day(4), { anonymousId: "K", name: "Kiosk Again" }),
];

// One collector for the whole file: the tests read the same data set.
let collector: Collector;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "threadline-stitch-"));
  collector = await startCollector({ port: 0, quiet: true, dataFile: join(dir, "events.ndjson") });
  expect((await post(`${collector.url}/v1/batch`, { batch })).body.accepted).toBe(batch.length);
});
afterAll(async () => {
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
});

const journey = async (userId: string) => (await get(`${collector.url}/dev/users/${encodeURIComponent(userId)}`)).body;
const names = (events: Array<{ event?: string; name?: string; type: string }>) =>
  events.map((e) => e.event ?? e.name ?? e.type);

describe("stitched users", () => {
  it("a user who signed in on two devices gets both devices' anonymous history, in time order", async () => {
    const alice = await journey("alice");
    // Devices in order of their first activity (L on day 1), not of arrival (P's event came first).
    expect(alice.anonymousIds).toEqual(["L", "P"]);
    expect(alice.devices).toBe(2);
    expect(names(alice.events)).toEqual([
      "Landing",
      "Pricing",
      "Pricing",
      "identify",
      "Signed Up",
      "identify",
      "Viewed Report",
    ]);
    expect(alice.events.map((e: { phase: string }) => e.phase)).toEqual([
      "anonymous",
      "anonymous",
      "anonymous",
      "known",
      "known",
      "known",
      "known",
    ]);
    expect(alice.identifiedAt).toBe(day(3));
    expect(alice.firstTouch).toEqual({
      source: "facebook",
      medium: "paid",
      campaign: "spring",
      referrer: "https://facebook.com/",
    });
  });

  it("an anonymous id that never signed in is no user, but its events stay queryable", async () => {
    const { users } = (await get(`${collector.url}/dev/users`)).body;
    expect(users.map((u: { userId: string }) => u.userId)).toEqual(["alice", "bob", "carol", "dave"]);
    expect(users.some((u: { anonymousIds: string[] }) => u.anonymousIds.includes("Z"))).toBe(false);
    const missing = await get(`${collector.url}/dev/users/Z`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("user_not_found");
    expect((await get(`${collector.url}/dev/events?anonymousId=Z`)).body.events).toHaveLength(2);
  });

  it("an alias links its previousId, with no identify; identifiedAt falls back to the first known message", async () => {
    const bob = await journey("bob");
    expect(bob.anonymousIds).toEqual(["B"]);
    expect(names(bob.events)).toEqual(["Docs", "alias", "Upgraded"]);
    expect(bob.identifiedAt).toBe(day(2));
    // context.campaign wins over the URL's utm_* (analytics.js calls the campaign "name").
    expect(bob.firstTouch).toEqual({ source: "google", medium: "cpc", campaign: "docs", referrer: null });
  });

  it("a shared device gives each user its anonymous events but never the other's known ones", async () => {
    const carol = await journey("carol");
    const dave = await journey("dave");
    expect(names(carol.events)).toEqual(["Kiosk Home", "identify", "Carol Only", "Kiosk Again"]);
    expect(names(dave.events)).toEqual(["Kiosk Home", "identify", "Dave Only", "Kiosk Again"]);
    expect(carol.events.every((e: { userId?: string }) => e.userId === undefined || e.userId === "carol")).toBe(true);
    expect(dave.identifiedAt).toBe(day(3));
    expect(carol.firstTouch).toEqual({ source: null, medium: null, campaign: null, referrer: null });
  });

  it("lists users with event and device counts that match their journeys", async () => {
    const { users } = (await get(`${collector.url}/dev/users`)).body;
    for (const user of users) {
      const detail = await journey(user.userId);
      expect(user.events, user.userId).toBe(detail.events.length);
      expect(user.devices).toBe(detail.anonymousIds.length);
      expect(user.anonymousIds).toEqual(detail.anonymousIds);
    }
    expect(users.find((u: { userId: string }) => u.userId === "alice")).toMatchObject({ events: 7, devices: 2 });
  });

  it("re-threads history when a late identify arrives: nothing was rewritten", async () => {
    await post(`${collector.url}/v1/batch`, { batch: [msg("identify", day(9), { userId: "zed", anonymousId: "Z" })] });
    const zed = await journey("zed");
    expect(names(zed.events)).toEqual(["Blog", "Newsletter Opened", "identify"]);
    expect(zed.events.map((e: { phase: string }) => e.phase)).toEqual(["anonymous", "anonymous", "known"]);
    // The stored messages themselves are untouched: still no userId on Z's old events.
    const raw = (await get(`${collector.url}/dev/events?anonymousId=Z&type=page`)).body.events;
    expect(raw[0].userId).toBeUndefined();
    expect(raw[0].phase).toBeUndefined();
  });
});
