// The real Segment browser SDK (@segment/analytics-next, bundled locally) on pages served
// by the example app with `mirror: ["segment"]`: on the first visit the SDK adopts the
// server's id, so its anonymousId(), its beacon, the aid cookie and the server's events
// agree. Over http://127.0.0.1 and over HTTPS on a real-looking domain (mapped to
// loopback, self-signed certificate), including visitors that already hold an older
// Segment cookie on the registrable domain.
import type { RequestListener } from "node:http";
import express from "express";
import type { Browser, BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Analytics } from "../../src/analytics.js";
import { createSignupApp } from "../../examples/express-signup/app.mjs";
import { startCollector, type LoopbackCollector } from "../identity/helpers/collector.js";
import { serve, type RunningApp } from "../identity/helpers/frameworks.js";
import { selfSignedCertificate } from "../identity/helpers/tls.js";
import { bundleSegmentSdk, isolatedContext, launchChromium, type OffsiteLog } from "./identity-browser.js";

const HOST = "www.shop.test";
let collector: LoopbackCollector;
let analytics: Analytics;
let plain: RunningApp;
let secure: RunningApp;
let browser: Browser;

function appWithSdk(sdk: string): RequestListener {
  const outer = express();
  outer.get("/segment.js", (_req, res) => void res.type("js").send(sdk));
  // The app serves the shop: its mirror may go on the registrable domain.
  outer.use(
    createSignupApp({
      analytics,
      identity: { mirror: ["segment"], hosts: [".shop.test"] },
      headHtml: '<script src="/segment.js"></script>',
    }),
  );
  return outer as unknown as RequestListener;
}

beforeAll(async () => {
  const [sdk, started] = await Promise.all([bundleSegmentSdk(), startCollector()]);
  collector = started;
  analytics = new Analytics({ host: collector.url, writeKey: "k", flushAt: 1 });
  const tls = selfSignedCertificate([HOST, "shop.test"]);
  [plain, secure, browser] = await Promise.all([
    serve(appWithSdk(sdk)),
    serve(appWithSdk(sdk), tls),
    launchChromium([HOST]),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await Promise.all([plain?.close(), secure?.close()]);
  await analytics?.close({ timeoutMs: 2000 });
  await collector?.close();
});

interface Visit {
  sdkId: string;
  aid: string | undefined;
  beaconIds: string[];
  cookies: Awaited<ReturnType<BrowserContext["cookies"]>>;
  offsite: OffsiteLog;
  serverIds: string[];
}

/** Open `/` in a fresh profile (with `seed` cookies), wait for the SDK, collect what everyone thinks the id is. */
async function visit(origin: string, seed: Parameters<BrowserContext["addCookies"]>[0] = []): Promise<Visit> {
  const url = new URL(origin);
  const { context, offsite } = await isolatedContext(browser, url.host, { ignoreHTTPSErrors: true });
  try {
    if (seed.length > 0) await context.addCookies(seed);
    const page = await context.newPage();
    const before = collector.messages.length;
    await page.goto(`${origin}/`);
    const sdkId = await page.evaluate(() => (globalThis as unknown as { segmentReady: Promise<string> }).segmentReady);
    const cookies = await context.cookies();
    await analytics.flush();
    // The SDK's event beacons: /v1/p (page), /v1/t (track), ... on Segment's API.
    const beaconIds = offsite.requests
      .filter((r) => /^https:\/\/api\.segment\.io\/v1\/[ptigas]$/.test(r.url()))
      .map((r) => (r.postDataJSON() as { anonymousId: string }).anonymousId);
    const serverIds = collector.messages.slice(before).map((m) => m.anonymousId!);
    return { sdkId, aid: cookies.find((c) => c.name === "aid")?.value, beaconIds, cookies, offsite, serverIds };
  } finally {
    await context.close();
  }
}

function expectAgreement(result: Visit, id: string): void {
  expect(result.sdkId).toBe(id);
  expect(result.aid).toBe(id);
  expect(result.beaconIds.length).toBeGreaterThan(0);
  expect(result.beaconIds.every((beacon) => beacon === id)).toBe(true);
  expect(result.serverIds).toEqual([id]);
  // Nothing but beacons left the page: no settings or plugins asked from Segment's CDN.
  expect(result.offsite.requests.map((r) => new URL(r.url()).host)).toEqual(
    result.offsite.requests.map(() => "api.segment.io"),
  );
  expect(result.cookies.filter((c) => c.name === "ajs_anonymous_id")).toHaveLength(1);
}

describe("first visit: the SDK adopts the server's id", () => {
  test("on http://127.0.0.1 (host-only cookies)", async () => {
    const result = await visit(plain.url);
    expect(result.aid).toMatch(/^[0-9a-f-]{36}$/);
    expectAgreement(result, result.aid!);
    expect(result.cookies.find((c) => c.name === "ajs_anonymous_id")).toMatchObject({
      domain: "127.0.0.1",
      httpOnly: false,
    });
  });

  test(`on https://${HOST} (registrable-domain mirror, Secure aid)`, async () => {
    const result = await visit(`https://${HOST}:${new URL(secure.url).port}`);
    expectAgreement(result, result.aid!);
    expect(result.cookies.find((c) => c.name === "aid")).toMatchObject({ domain: HOST, secure: true, sameSite: "Lax" });
    expect(result.cookies.find((c) => c.name === "ajs_anonymous_id")).toMatchObject({
      domain: ".shop.test",
      httpOnly: false,
    });
  });
});

describe(`a visitor with an older Segment cookie on .shop.test, over https://${HOST}`, () => {
  const origin = () => `https://${HOST}:${new URL(secure.url).port}`;
  const olderSegment = (value: string) => ({
    name: "ajs_anonymous_id",
    value,
    domain: ".shop.test",
    path: "/",
    sameSite: "Lax" as const,
  });

  test("without aid: the server adopts the SDK's id (older JSON-quoted form) and everyone keeps it", async () => {
    const result = await visit(origin(), [olderSegment("%22older-visitor-1%22")]);
    expectAgreement(result, "older-visitor-1");
  });

  test("with a different aid: the domain-wide mirror replaces the older cookie, the SDK reads the server's id", async () => {
    const seed = [
      olderSegment("older-visitor-2"),
      { name: "aid", value: "server-visitor-2", domain: HOST, path: "/", secure: true, sameSite: "Lax" as const },
    ];
    const result = await visit(origin(), seed);
    expectAgreement(result, "server-visitor-2");
    expect(result.cookies.find((c) => c.name === "ajs_anonymous_id")).toMatchObject({
      domain: ".shop.test",
      value: "server-visitor-2",
    });
  });
});
