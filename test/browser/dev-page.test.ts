import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCollector, type Collector } from "../../src/dev/index.js";

// tsconfig has no DOM lib: the one DOM shape these assertions read.
type Styled = { style: { gridRow: string } };
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const at = (day: number, hour: number): string => new Date(Date.UTC(2026, 2, day, hour)).toISOString();
let n = 0;
const msg = (type: string, timestamp: string, fields: Record<string, unknown>) => ({ type, messageId: `p-${++n}`, timestamp, ...fields });

// A small journey: an ad click on the laptop, a look on the phone, signup on the laptop,
// sign-in on the phone, activity on both; plus a stranger who never signs in.
const journey = [
  msg("page", at(1, 9), {
    anonymousId: "anon-laptop",
    name: "Landing",
    context: { page: { url: "https://shop.test/?utm_source=facebook&utm_medium=paid&utm_campaign=spring", referrer: "https://facebook.com/" } },
  }),
  msg("page", at(1, 10), { anonymousId: "anon-laptop", name: "Pricing" }),
  msg("page", at(2, 20), { anonymousId: "anon-phone", name: "Pricing" }),
  msg("track", at(2, 21), { anonymousId: "anon-phone", event: "Video Played" }),
  msg("identify", at(3, 9), { userId: "alice", anonymousId: "anon-laptop", traits: { email: "alice@example.test" } }),
  msg("track", at(3, 9), { userId: "alice", anonymousId: "anon-laptop", event: "Signed Up" }),
  msg("identify", at(4, 8), { userId: "alice", anonymousId: "anon-phone" }),
  msg("track", at(4, 8), { userId: "alice", anonymousId: "anon-phone", event: "Report Viewed" }),
  msg("page", at(1, 11), { anonymousId: "anon-stranger", name: "Blog" }),
];

let collector: Collector;
let browser: Browser;
let dir: string;

async function send(batch: unknown[]): Promise<void> {
  const res = await fetch(`${collector.url}/v1/batch`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ batch }) });
  expect(await res.json()).toMatchObject({ accepted: batch.length });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "threadline-page-"));
  collector = await startCollector({ port: 0, quiet: true, dataFile: join(dir, "events.ndjson") });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, timeout: 20_000 });
  await send(journey);
});
afterAll(async () => {
  await browser?.close();
  await collector?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the collector's page", () => {
  it("draws a user's anonymous → known journey, with the identify as the join, and lists events live", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(8000);
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));

    await page.goto(`${collector.url}/`);
    // The only user is picked without asking; the stranger is no user.
    await expect.poll(() => page.locator("#users button").allTextContents()).toEqual(["alice8 events · 2 devices"]);
    await page.locator("#journey .event").first().waitFor();
    expect(await page.locator("#journey-title").textContent()).toBe("Journey of alice");

    // Two device lanes (laptop first: it came in first) and the known lane.
    expect(await page.locator("#journey .lane-label.anonymous small").allTextContents()).toEqual(["anon-laptop", "anon-phone"]);
    expect(await page.locator("#journey .lane-label.known small").textContent()).toBe("alice");
    // Four anonymous events, on their devices' lanes; five known ones on the user's lane.
    expect(await page.locator("#journey .event.anonymous").allTextContents()).toEqual(["Landing", "Pricing", "Pricing", "Video Played"]);
    expect(await page.locator("#journey .event.known").allTextContents()).toEqual(["identify", "Signed Up", "identify", "Report Viewed"]);
    // Each identify joins its device lane to the user lane: a connector spanning the rows between.
    const joins = page.locator("#journey .join");
    expect(await joins.count()).toBe(2);
    const laneRows = await page.locator("#journey .lane-label:not(.corner)").evaluateAll((labels) => labels.map((label) => (label as unknown as Styled).style.gridRow));
    expect(laneRows).toEqual(["2", "3", "4"]);
    expect(await joins.evaluateAll((nodes) => nodes.map((node) => (node as unknown as Styled).style.gridRow))).toEqual(["2 / 4", "2 / 5"]);
    // The anonymous events sit on their own device's lane.
    const anonymousRows = await page.locator("#journey .event.anonymous").evaluateAll((nodes) => nodes.map((node) => (node as unknown as Styled).style.gridRow));
    expect(anonymousRows).toEqual(["3", "3", "4", "4"]);
    // Drawn, not just present: the connector really spans from the user lane to the laptop lane.
    const joinBox = (await joins.first().boundingBox())!;
    const userLane = (await page.locator("#journey .lane-label.known").boundingBox())!;
    const laptopLane = (await page.locator("#journey .lane-label.anonymous").first().boundingBox())!;
    expect(joinBox.y).toBeLessThan(userLane.y + userLane.height);
    expect(joinBox.y + joinBox.height).toBeGreaterThan(laptopLane.y);
    expect(await page.locator("#journey .col-time.identified").count()).toBe(1);
    expect(await page.locator(".meta-first-touch").textContent()).toBe("facebook / paid / spring");
    expect(await page.locator(".meta-devices").textContent()).toBe("2");

    // The live list has every event, and picks up a new one without a reload.
    await expect.poll(() => page.locator("#events tbody tr").count()).toBe(journey.length);
    await send([msg("track", at(5, 9), { userId: "alice", event: "Invoice Paid" })]);
    await expect.poll(() => page.locator("#events tbody tr").first().textContent()).toContain("Invoice Paid");
    await expect.poll(() => page.locator("#journey .event.known").last().textContent()).toBe("Invoice Paid");

    mkdirSync(resolve("test/.tmp"), { recursive: true });
    await page.screenshot({ path: resolve("test/.tmp/dev-page.png"), fullPage: true });
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("regression: a journey wider than the window opens at its first touch, not scrolled to the end", async () => {
    const page = await browser.newPage({ viewport: { width: 800, height: 700 } });
    page.setDefaultTimeout(8000);
    await page.goto(`${collector.url}/`);
    await page.locator("#journey .event").first().waitFor();
    const scroller = page.locator("#journey-scroll");
    expect(await scroller.evaluate((node) => (node as unknown as { scrollWidth: number; clientWidth: number }).scrollWidth > (node as unknown as { clientWidth: number }).clientWidth)).toBe(true);
    expect(await scroller.evaluate((node) => (node as unknown as { scrollLeft: number }).scrollLeft)).toBe(0);
    const first = (await page.locator("#journey .event").first().boundingBox())!;
    const view = (await scroller.boundingBox())!;
    expect(first.x).toBeGreaterThanOrEqual(view.x);
    expect(first.x + first.width).toBeLessThanOrEqual(view.x + view.width);
    expect(await page.locator("#journey .event").first().textContent()).toBe("Landing");
    await page.close();
  });

  it("shows event data as text, never as HTML", async () => {
    await send([msg("track", at(6, 9), { userId: "mallory", event: "<img src=x onerror=document.title='pwned'>" })]);
    const page = await browser.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(`${collector.url}/#user=mallory`);
    await expect.poll(() => page.locator("#journey .event.known").allTextContents()).toEqual(["<img src=x onerror=document.title='pwned'>"]);
    expect(await page.locator("#journey img, #events img").count()).toBe(0);
    expect(await page.title()).toBe("threadline dev");
    await page.close();
  });

  it("says so for an unknown user, and lists rejected messages with their reason", async () => {
    const res = await fetch(`${collector.url}/v1/batch`, { method: "POST", body: JSON.stringify({ batch: [{ type: "track", userId: "u" }] }) });
    expect(await res.json()).toMatchObject({ rejected: 1 });
    const page = await browser.newPage();
    page.setDefaultTimeout(8000);
    await page.goto(`${collector.url}/#user=nobody`);
    await expect.poll(() => page.locator("#journey-empty").textContent()).toBe("No message has userId “nobody” yet.");
    await expect.poll(() => page.locator("#rejected-count").textContent()).toBe("1");
    expect(await page.locator("#rejected .reason").allTextContents()).toEqual(["track needs an event name"]);
    // Picking a user from the list switches the journey.
    await page.locator('#users button[data-user-id="alice"]').click();
    await expect.poll(() => page.locator("#journey-title").textContent()).toBe("Journey of alice");
    expect(await page.locator("#journey-empty").isHidden()).toBe(true);
    await page.close();
  });
});
