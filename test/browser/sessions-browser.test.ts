// The real Snowplow tracker and posthog-js in Chromium, on a page served by an Express
// app with the middleware: the server's events land in the browser SDK's own session
// (the id the SDK puts on its own beacons / reports itself). And Snowplow's default
// Secure cookies on plain HTTP (other than localhost): nothing to adopt, our own session.
import type { RequestListener } from "node:http";
import { build } from "esbuild";
import express from "express";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Analytics } from "../../src/analytics.js";
import { threadline } from "../../src/express.js";
import { startTestCollector, waitFor, type TestCollector } from "../helpers/collector.js";
import { serve, type RunningApp } from "../identity/helpers/frameworks.js";
import { isolatedContext, launchChromium } from "./identity-browser.js";

const HOST = "www.shop.test";
let collector: TestCollector;
let analytics: Analytics;
let app: RunningApp;
let browser: Browser;

async function bundle(source: string): Promise<string> {
  const result = await build({
    stdin: { contents: source, resolveDir: process.cwd(), loader: "js" },
    bundle: true,
    format: "iife",
    platform: "browser",
    write: false,
    minify: true,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

// Each page runs one SDK, then asks the server for an event; `window.result` says what the SDK thinks.
const SDKS = {
  // Snowplow's defaults (Secure, SameSite=None): the cookies only exist on HTTPS or localhost.
  snowplow: `
    import { newTracker, trackPageView } from "@snowplow/browser-tracker";
    const tracker = newTracker("sp", "https://collector.shop.test", { appId: "shop", eventMethod: "post", bufferSize: 1 });
    trackPageView();
    window.result = new Promise((r) => setTimeout(r, 400)).then(async () => {
      const server = await (await fetch("/api/event")).json();
      return { server, cookie: document.cookie };
    });`,
  posthog: `
    import posthog from "posthog-js";
    posthog.init("phc_browser", { api_host: "https://ingest.shop.test", persistence: "cookie", autocapture: false,
      disable_session_recording: true, advanced_disable_decide: true });
    posthog.capture("$pageview");
    // The session as posthog-js reports it (asking also starts it if the capture is still queued).
    const sdkSessionId = posthog.get_session_id();
    // posthog-js writes its cookie debounced: wait (bounded) for $sesid to be in it.
    const sesidWritten = async () => {
      for (let i = 0; i < 50 && !document.cookie.includes("%24sesid"); i++) await new Promise((r) => setTimeout(r, 100));
    };
    window.result = sesidWritten().then(async () => {
      const server = await (await fetch("/api/event")).json();
      return { server, sdkSessionId, cookie: document.cookie };
    });`,
};

beforeAll(async () => {
  collector = await startTestCollector();
  analytics = new Analytics({ host: collector.url, flushAt: 1 });
  const scripts = { snowplow: await bundle(SDKS.snowplow), posthog: await bundle(SDKS.posthog) };
  const site = express();
  site.use(threadline({ analytics }));
  site.get("/sdk/:name.js", (req, res) => void res.type("js").send(scripts[req.params.name as keyof typeof scripts]));
  site.get("/page/:name", (req, res) => {
    req.analytics.page({ name: req.params.name });
    res
      .type("html")
      .send(`<!doctype html><title>${req.params.name}</title><script src="/sdk/${req.params.name}.js"></script>`);
  });
  site.get("/api/event", (req, res) => {
    req.analytics.track({ event: "Server Event" });
    res.json({ anonymousId: req.anonymousId, session: req.analytics.session });
  });
  [app, browser] = await Promise.all([serve(site as unknown as RequestListener), launchChromium([HOST])]);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await analytics?.close({ timeoutMs: 2000 });
  await collector?.close();
});

interface Result {
  server: {
    anonymousId: string;
    session: { sessionId: string; sessionIndex: number; previousSessionId: string | null };
  };
  sdkSessionId?: string;
  cookie: string;
}

async function open(origin: string, sdk: keyof typeof SDKS): Promise<{ result: Result; beacons: string[] }> {
  const { context, offsite } = await isolatedContext(browser, new URL(origin).host);
  try {
    const page = await context.newPage();
    await page.goto(`${origin}/page/${sdk}`);
    const result = (await page.evaluate("window.result")) as Result;
    return { result, beacons: offsite.requests.map((r) => r.postData() ?? r.url()) };
  } finally {
    await context.close();
  }
}

async function serverEvents(anonymousId: string): Promise<Record<string, unknown>[]> {
  await waitFor(
    () =>
      collector.requests
        .flatMap((r) => r.body.batch)
        .some((m) => m.anonymousId === anonymousId && m.event === "Server Event"),
    5000,
    "the server event",
  );
  return collector.requests.flatMap((r) => r.body.batch).filter((m) => m.anonymousId === anonymousId);
}

describe("server events in the browser SDK's session (real SDKs in Chromium)", () => {
  test("Snowplow on localhost: the server event carries the session id on the tracker's own beacon", async () => {
    const port = new URL(app.url).port;
    const { result, beacons } = await open(`http://localhost:${port}`, "snowplow");
    // The tracker's own payload names its session (`sid`) and visit count (`vid`).
    const payload = beacons
      .map((b) => {
        try {
          return JSON.parse(b) as { data: Record<string, string>[] };
        } catch {
          return undefined;
        }
      })
      .find((b) => b?.data?.[0]?.sid);
    expect(payload).toBeDefined();
    const { sid, vid, duid } = payload!.data[0]!;
    // Our `aid` (set by the page request, before the tracker ran) stays the visitor's id.
    expect(duid).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.server.session).toMatchObject({ sessionId: sid, sessionIndex: Number(vid) });
    const events = await serverEvents(result.server.anonymousId);
    const server = events.find((m) => m.event === "Server Event")!;
    expect((server.context as { session: { sessionId: string } }).session.sessionId).toBe(sid);
  });

  test("posthog-js: the server event carries posthog.get_session_id(); index and previous from our own session", async () => {
    const { result } = await open(`http://${HOST}:${new URL(app.url).port}`, "posthog");
    expect(result.sdkSessionId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.server.session.sessionId).toBe(result.sdkSessionId);
    const events = await serverEvents(result.server.anonymousId);
    // The page request came before posthog-js ran: it opened our own session, which PostHog's follows.
    const pageView = events.find((m) => m.type === "page")!;
    const ours = (pageView.context as { session: { sessionId: string } }).session.sessionId;
    expect(result.server.session).toMatchObject({ sessionIndex: 2, previousSessionId: ours });
    const server = events.find((m) => m.event === "Server Event")!;
    expect((server.context as { session: { sessionId: string } }).session.sessionId).toBe(result.sdkSessionId);
  });

  test("Snowplow's default Secure cookies on plain HTTP (not localhost): the browser keeps none, the server keeps its own session", async () => {
    const { result } = await open(`http://${HOST}:${new URL(app.url).port}`, "snowplow");
    expect(result.cookie).not.toContain("_sp_id.");
    const events = await serverEvents(result.server.anonymousId);
    const pageView = events.find((m) => m.type === "page")!;
    expect(result.server.session.sessionId).toBe(
      (pageView.context as { session: { sessionId: string } }).session.sessionId,
    );
    expect(result.server.session.sessionIndex).toBe(1);
  });
});
