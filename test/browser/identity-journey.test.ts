// A real browser walks the example Express app: several anonymous pages, reading `aid`
// in page script, then a signup through the form. The collector must then hold the
// browser-visible id on every server event, before and after signup.
import type { RequestListener } from "node:http";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Analytics } from "../../src/analytics.js";
import { createSignupApp } from "../../examples/express-signup/app.mjs";
import { startCollector, type LoopbackCollector } from "../identity/helpers/collector.js";
import { serve, type RunningApp } from "../identity/helpers/frameworks.js";
import { aidShownOnPage, isolatedContext, launchChromium } from "./identity-browser.js";

let collector: LoopbackCollector;
let analytics: Analytics;
let app: RunningApp;
let browser: Browser;

beforeAll(async () => {
  collector = await startCollector();
  analytics = new Analytics({ host: collector.url, writeKey: "k", flushAt: 1 });
  app = await serve(createSignupApp({ analytics }) as unknown as RequestListener);
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await analytics?.close({ timeoutMs: 2000 });
  await collector?.close();
});

test("every server event carries the id page script sees, before and after signup", async () => {
  const { context, offsite } = await isolatedContext(browser, new URL(app.url).host);
  const page = await context.newPage();

  await page.goto(`${app.url}/?utm_source=ads&utm_campaign=winter`);
  const aid = await aidShownOnPage(page);
  expect(aid).toMatch(/^[0-9a-f-]{36}$/);

  await page.click("#pricing");
  await page.waitForURL(/\/pricing$/);
  expect(await aidShownOnPage(page)).toBe(aid);

  await page.click("#signup");
  await page.fill("#email", "lin@example.com");
  await Promise.all([page.waitForURL(/\/welcome$/), page.click("#submit")]);
  expect(await page.locator("#welcome").textContent()).toContain("user_");
  expect(await aidShownOnPage(page)).toBe(aid);

  const cookies = await context.cookies();
  expect(cookies.find((c) => c.name === "aid")).toMatchObject({
    value: aid,
    httpOnly: false,
    sameSite: "Lax",
    path: "/",
  });
  await context.close();
  await analytics.flush();

  const byType = collector.messages.map((m) => [m.type, m.name ?? m.event, m.anonymousId]);
  expect(byType).toHaveLength(6);
  expect(collector.messages.every((m) => m.anonymousId === aid)).toBe(true);
  expect(byType.map(([type, name]) => `${type}:${name}`).sort()).toEqual(
    ["page:Home", "page:Pricing", "page:Sign up", "identify:undefined", "track:Signed Up", "page:Welcome"].sort(),
  );
  const userId = collector.messages.find((m) => m.type === "identify")!.userId;
  expect(
    collector.messages
      .filter((m) => m.userId === userId)
      .map((m) => m.name ?? m.event)
      .sort(),
  ).toEqual([undefined, "Signed Up", "Welcome"].sort());
  expect(collector.messages.find((m) => m.name === "Home")!.context).toMatchObject({
    campaign: { source: "ads", name: "winter" },
    userAgent: expect.stringContaining("Chrome"),
  });
  expect(offsite.requests).toHaveLength(0);
});
