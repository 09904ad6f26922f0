import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCollector, type Collector } from "../../src/dev/index.js";

// tsconfig has no DOM lib: what these assertions read of the page, loosely typed.
type Dom = any;
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const at = (day: number, hour: number, minute = 0): string =>
  new Date(Date.UTC(2026, 2, day, hour, minute)).toISOString();
let n = 0;
const msg = (type: string, timestamp: string, fields: Record<string, unknown>) => ({
  type,
  messageId: `p-${++n}`,
  timestamp,
  ...fields,
});

// A small journey: an ad click on the laptop, a look on the phone, signup on the laptop,
// sign-in on the phone, activity on both; plus a stranger who never signs in. No event
// carries context.session, so the visits are the collector's (30 minutes of inactivity).
const journey = [
  msg("page", at(1, 9), {
    anonymousId: "anon-laptop",
    name: "Landing",
    context: {
      page: {
        url: "https://shop.test/?utm_source=facebook&utm_medium=paid&utm_campaign=spring",
        referrer: "https://facebook.com/",
      },
    },
  }),
  msg("page", at(1, 9, 10), { anonymousId: "anon-laptop", name: "Pricing" }),
  msg("page", at(2, 20), { anonymousId: "anon-phone", name: "Pricing" }),
  msg("track", at(2, 20, 5), { anonymousId: "anon-phone", event: "Video Played" }),
  msg("identify", at(3, 9), { userId: "alice", anonymousId: "anon-laptop", traits: { email: "alice@example.test" } }),
  msg("track", at(3, 9, 1), { userId: "alice", anonymousId: "anon-laptop", event: "Signed Up" }),
  msg("identify", at(4, 8), { userId: "alice", anonymousId: "anon-phone" }),
  msg("track", at(4, 8, 1), { userId: "alice", anonymousId: "anon-phone", event: "Report Viewed" }),
  msg("page", at(1, 11), { anonymousId: "anon-stranger", name: "Blog" }),
];

// The journey the 1280 px check reads: real-length device ids, an underscore in the user id,
// three visits over two devices with many events each (what once hid behind a scrollbar).
const LAPTOP = "b033b5a3-625a-4040-9c2e-7d1f0a6b5e48";
const PHONE = "3ad3a139-3731-4cc2-b65d-e27a8efcc61a";
const visit = (sessionId: string, sessionIndex: number, startedAt: string) => ({
  session: { sessionId, sessionIndex, previousSessionId: null, startedAt },
});
const busyJourney = [
  ...Array.from({ length: 12 }, (_, i) =>
    msg(i === 0 ? "page" : "track", at(10, 9, i), {
      anonymousId: LAPTOP,
      ...(i === 0 ? { name: "Home" } : { event: `Viewed Product Number ${i} In The Spring Collection` }),
      context: {
        ...visit("5e551011-0000-4000-8000-000000000001", 1, at(10, 9)),
        page: {
          url: "https://shop.test/?utm_source=newsletter&utm_medium=email&utm_campaign=spring_launch",
          path: "/",
        },
      },
    }),
  ),
  ...Array.from({ length: 10 }, (_, i) =>
    msg("page", at(12, 21, i), {
      anonymousId: PHONE,
      name: `Article ${i}`,
      context: {
        ...visit("5e551011-0000-4000-8000-000000000002", 1, at(12, 21)),
        page: { path: `/blog/${i}`, referrer: "https://news.example/item?id=1" },
      },
    }),
  ),
  msg("identify", at(12, 21, 30), {
    userId: "user_1",
    anonymousId: PHONE,
    context: visit("5e551011-0000-4000-8000-000000000002", 1, at(12, 21)),
  }),
  ...Array.from({ length: 10 }, (_, i) =>
    msg("track", at(14, 10, i), {
      userId: "user_1",
      anonymousId: LAPTOP,
      event: i === 0 ? "Logged In" : `Added To Cart ${i}`,
      context: { ...visit("5e551011-0000-4000-8000-000000000003", 2, at(14, 10)), page: { path: "/cart" } },
    }),
  ),
  msg("identify", at(14, 10, 20), {
    userId: "user_1",
    anonymousId: LAPTOP,
    context: visit("5e551011-0000-4000-8000-000000000003", 2, at(14, 10)),
  }),
];

let collector: Collector;
let locked: Collector;
let browser: Browser;
let dir: string;

async function send(target: Collector, batch: unknown[], headers: Record<string, string> = {}): Promise<void> {
  const res = await fetch(`${target.url}/v1/batch`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify({ batch }),
  });
  expect(await res.json()).toMatchObject({ accepted: batch.length });
}

async function open(path: string, width = 1400, target = collector): Promise<Page> {
  const page = await browser.newPage({ viewport: { width, height: 900 } });
  page.setDefaultTimeout(8000);
  await page.goto(`${target.url}${path}`);
  return page;
}

const sessionsOfLane = (page: Page, lane: number) =>
  page
    .locator("#journey .lane")
    .nth(lane)
    .locator(".session")
    .evaluateAll((blocks) =>
      blocks.map((block: Dom) => [...block.querySelectorAll(".event-name")].map((name: Dom) => name.textContent)),
    );

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "threadline-page-"));
  collector = await startCollector({ port: 0, quiet: true, dataFile: join(dir, "events.ndjson") });
  locked = await startCollector({ port: 0, quiet: true, dataFile: join(dir, "locked.ndjson"), writeKey: "wk_page" });
  browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS, timeout: 20_000 });
  await send(collector, journey);
  await send(collector, busyJourney);
});
afterAll(async () => {
  await browser?.close();
  await collector?.close();
  await locked?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("the collector's page", () => {
  it("draws a user's journey as a lane per device, a block per visit with its entry source, the identify as the join", async () => {
    const page = await open("/#user=alice");
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    await expect
      .poll(() => page.locator("#users button").allTextContents())
      .toEqual(["alice8 events · 2 devices", "user_134 events · 2 devices"]);
    await page.locator("#journey .event").first().waitFor();
    expect(await page.locator("#journey-title").textContent()).toBe("Journey of alice");

    // Two device lanes, laptop first (it came in first), each with the full id.
    expect(await page.locator("#journey .lane .device-id").allTextContents()).toEqual(["anon-laptop", "anon-phone"]);
    expect(await page.locator("#journey .lane .lane-name").allTextContents()).toEqual(["device 1", "device 2"]);
    // Visits by 30 minutes of inactivity: 10 minutes apart is one visit, days apart are two.
    expect(await sessionsOfLane(page, 0)).toEqual([
      ["Landing", "Pricing"],
      ["identify", "Signed Up"],
    ]);
    expect(await sessionsOfLane(page, 1)).toEqual([
      ["Pricing", "Video Played"],
      ["identify", "Report Viewed"],
    ]);
    const entries = await page.locator("#journey .lane").first().locator(".session-entry").allTextContents();
    expect(entries).toEqual(["facebook / paid / spring · from facebook.com · /", "direct"]);
    expect(await page.locator("#journey .session-name").first().textContent()).toBe("visit 1");
    // Phases: anonymous events before the identify, known after; each identify is the join.
    expect(await page.locator("#journey .event.anonymous .event-name").allTextContents()).toEqual([
      "Landing",
      "Pricing",
      "Pricing",
      "Video Played",
    ]);
    expect(await page.locator("#journey .event.known .event-name").allTextContents()).toEqual([
      "identify",
      "Signed Up",
      "identify",
      "Report Viewed",
    ]);
    expect(await page.locator("#journey .join-tag").allTextContents()).toEqual(["→ alice", "→ alice"]);
    expect(await page.locator(".meta-first-touch").textContent()).toBe("facebook / paid / spring");
    expect(await page.locator(".meta-devices").textContent()).toBe("2");
    expect(await page.locator(".meta-sessions").textContent()).toBe("4");

    // The live list has every event, and picks up a new one without a reload; a known event
    // with no device id gets a lane of its own.
    await expect.poll(() => page.locator("#events tbody tr").count()).toBe(journey.length + busyJourney.length);
    await send(collector, [msg("track", at(5, 9), { userId: "alice", event: "Invoice Paid" })]);
    await expect.poll(() => page.locator("#events tbody tr").first().textContent()).toContain("Invoice Paid");
    await expect
      .poll(() => page.locator("#journey .lane.deviceless .event-name").allTextContents())
      .toEqual(["Invoice Paid"]);
    expect(pageErrors).toEqual([]);
    await page.close();
  });

  it("regression: at 1280 px the journey needs no horizontal scrolling, ids are not cut, user_1 reads user_1", async () => {
    const page = await open("/#user=user_1", 1280);
    await expect.poll(() => page.locator("#journey .event").count()).toBe(busyJourney.length);
    const layout = await page.evaluate(() => {
      const doc = (globalThis as Dom).document;
      const journeyBox = doc.getElementById("journey").getBoundingClientRect();
      const overflowing = [...doc.querySelectorAll("#journey .event")].filter(
        (node: Dom) => node.getBoundingClientRect().right > journeyBox.right + 0.5,
      );
      return {
        page: [doc.documentElement.scrollWidth, doc.documentElement.clientWidth],
        journey: [doc.getElementById("journey").scrollWidth, doc.getElementById("journey").clientWidth],
        panel: [doc.getElementById("journey-panel").scrollWidth, doc.getElementById("journey-panel").clientWidth],
        eventsPastTheEdge: overflowing.length,
      };
    });
    expect(layout.page[0]).toBeLessThanOrEqual(layout.page[1]);
    expect(layout.journey[0]).toBeLessThanOrEqual(layout.journey[1]);
    expect(layout.panel[0]).toBeLessThanOrEqual(layout.panel[1]);
    expect(layout.eventsPastTheEdge).toBe(0);

    // Each id is all there, inside its own box, and nothing sits over any part of it (an
    // underscore covered by the next lane is how "user_1" once read "user 1").
    const ids = await page.evaluate(() => {
      const doc = (globalThis as Dom).document;
      const nodes = [
        ...doc.querySelectorAll("#journey .device-id, #journey .join-tag, #users .user-id, #journey-title"),
      ];
      return nodes.map((node: Dom) => {
        const box = node.getBoundingClientRect();
        const style = (globalThis as Dom).getComputedStyle(node);
        const probes = [
          [box.left + 1, box.top + 1],
          [box.right - 1, box.bottom - 1],
          [box.left + box.width / 2, box.bottom - 1],
        ];
        const covered = probes.filter(([x, y]) => {
          const hit = doc.elementFromPoint(x, y);
          return !(hit === node || node.contains(hit) || hit?.contains(node));
        }).length;
        const panel = node.closest("section, nav").getBoundingClientRect();
        return {
          text: node.textContent,
          fits: node.scrollWidth <= node.clientWidth + 0.5 || style.display === "inline",
          clipped: style.textOverflow === "ellipsis" && node.scrollWidth > node.clientWidth,
          insidePanel: box.left >= panel.left && box.right <= panel.right,
          transform: style.textTransform,
          // An inline element that wraps has one client rect per line.
          lines: node.getClientRects().length,
          covered,
        };
      });
    });
    expect(ids.map((id: Dom) => id.text).sort()).toEqual(
      ["Journey of user_1", LAPTOP, PHONE, "alice", "user_1", "→ user_1", "→ user_1"].sort(),
    );
    for (const id of ids) {
      expect(id, id.text).toMatchObject({
        fits: true,
        clipped: false,
        insidePanel: true,
        transform: "none",
        covered: 0,
      });
    }
    // At 1280 px a device id has room for one line.
    for (const id of ids.filter((id: Dom) => id.text === LAPTOP || id.text === PHONE))
      expect(id.lines, id.text).toBe(1);

    // Lanes grouped by visit, each visit with where it came from.
    expect(await page.locator("#journey .lane").first().locator(".session-entry").allTextContents()).toEqual([
      "newsletter / email / spring_launch · /",
      "direct · /cart",
    ]);
    expect(await page.locator("#journey .lane").nth(1).locator(".session-entry").allTextContents()).toEqual([
      "referral · from news.example · /blog/0",
    ]);
    expect(await page.locator("#journey .session-name").allTextContents()).toEqual(["visit 1", "visit 2", "visit 1"]);

    mkdirSync(resolve("test/.tmp"), { recursive: true });
    await page.screenshot({ path: resolve("test/.tmp/dev-page-1280.png"), fullPage: true });
    await page.close();
  });

  it("keeps a long journey inside an 800 px window too, first event in view", async () => {
    const page = await open("/#user=user_1", 800);
    await expect.poll(() => page.locator("#journey .event").count()).toBe(busyJourney.length);
    const [scrollWidth, clientWidth] = await page.evaluate(() => {
      const doc = (globalThis as Dom).document;
      return [doc.documentElement.scrollWidth, doc.documentElement.clientWidth];
    });
    expect(scrollWidth).toBeLessThanOrEqual(clientWidth);
    const first = (await page.locator("#journey .event").first().boundingBox())!;
    const panel = (await page.locator("#journey").boundingBox())!;
    expect(first.x).toBeGreaterThanOrEqual(panel.x);
    expect(first.x + first.width).toBeLessThanOrEqual(panel.x + panel.width);
    expect(await page.locator("#journey .event-name").first().textContent()).toBe("Home");
    await page.close();
  });

  it("shows event data as text, never as HTML", async () => {
    await send(collector, [
      msg("track", at(6, 9), { userId: "mallory", event: "<img src=x onerror=document.title='pwned'>" }),
    ]);
    const page = await open("/#user=mallory");
    await expect
      .poll(() => page.locator("#journey .event.known .event-name").allTextContents())
      .toEqual(["<img src=x onerror=document.title='pwned'>"]);
    expect(await page.locator("#journey img, #events img").count()).toBe(0);
    expect(await page.title()).toBe("threadline dev");
    await page.close();
  });

  it("says so for an unknown user, and lists rejected messages with their reason", async () => {
    const res = await fetch(`${collector.url}/v1/batch`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ batch: [{ type: "track", userId: "u" }] }),
    });
    expect(await res.json()).toMatchObject({ rejected: 1 });
    const page = await open("/#user=nobody");
    await expect.poll(() => page.locator("#journey-empty").textContent()).toBe("No message has userId “nobody” yet.");
    await expect.poll(() => page.locator("#rejected-count").textContent()).toBe("1");
    expect(await page.locator("#rejected .reason").allTextContents()).toEqual(["track needs an event name"]);
    // Picking a user from the list switches the journey.
    await page.locator('#users button[data-user-id="alice"]').click();
    await expect.poll(() => page.locator("#journey-title").textContent()).toBe("Journey of alice");
    expect(await page.locator("#journey-empty").isHidden()).toBe(true);
    await page.close();
  });

  it("with a write key, asks for it once, keeps it for the tab only, and refuses a wrong one", async () => {
    await send(locked, [msg("identify", at(7, 9), { userId: "bob", anonymousId: "anon-bob" })], {
      Authorization: `Basic ${Buffer.from("wk_page:").toString("base64")}`,
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(8000);
    let dialogs = 0;
    page.on("dialog", (dialog) => {
      dialogs += 1;
      void dialog.dismiss();
    });
    await page.goto(`${locked.url}/`);
    await page.locator("#key-form").waitFor({ state: "visible" });
    expect(await page.locator("#users button").count()).toBe(0);
    await page.locator("#key-input").fill("wk_wrong");
    await page.locator("#key-form button").click();
    await expect.poll(() => page.locator("#key-error").textContent()).toBe("that key was refused");
    await page.locator("#key-input").fill("wk_page");
    await page.locator("#key-form button").click();
    await expect.poll(() => page.locator("#users button").allTextContents()).toEqual(["bob1 events · 1 device"]);
    expect(await page.locator("#key-form").isHidden()).toBe(true);
    // A reload in the same tab does not ask again; a new tab does.
    await page.reload();
    await expect.poll(() => page.locator("#users button").count()).toBe(1);
    expect(await page.locator("#key-form").isHidden()).toBe(true);
    const other = await context.newPage();
    await other.goto(`${locked.url}/`);
    await other.locator("#key-form").waitFor({ state: "visible" });
    // The browser's own login dialog never shows: the page asks.
    expect(dialogs).toBe(0);
    await context.close();
  });
});
