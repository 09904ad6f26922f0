// The journey end to end over real HTTP: anonymous pages, a signup, pages after it.
// Events go through the real Analytics client to a loopback collector, which must hold
// one anonymousId on every server event, before and after signup.
import type { RequestListener } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Analytics } from "../../src/analytics.js";
import { close as closeDefault, flush as flushDefault, init } from "../../src/default-client.js";
import { createKoaApp } from "../../examples/koa/app.mjs";
import { createSignupApp } from "../../examples/express-signup/app.mjs";
import { startCollector, type CollectedMessage, type LoopbackCollector } from "./helpers/collector.js";
import { FRAMEWORKS, serve, startApp, type RunningApp } from "./helpers/frameworks.js";
import { cookieLine, cookieValue, send } from "./helpers/http.js";

let collector: LoopbackCollector;
let analytics: Analytics;

beforeAll(async () => {
  collector = await startCollector();
  analytics = new Analytics({ host: collector.url, writeKey: "k", flushAt: 1 });
});
afterAll(async () => {
  await analytics?.close({ timeoutMs: 2000 });
  await collector?.close();
});

const eventsOf = (anonymousId: string) => collector.messages.filter((m) => m.anonymousId === anonymousId);
// With flushAt 1 several requests are in flight at once and may land in any order.
const summary = (anonymousId: string, pick: (e: CollectedMessage) => unknown[]) =>
  eventsOf(anonymousId)
    .map(pick)
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const sorted = (rows: unknown[][]) => rows.slice().sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));

describe("examples/express-signup", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await serve(createSignupApp({ analytics }) as unknown as RequestListener);
  });
  afterAll(() => app?.close());

  test("pages before signup, identify + Signed Up at signup and the page after share the browser's id", async () => {
    const first = await send(`${app.url}/?utm_source=newsletter&utm_campaign=spring`, {
      headers: { referer: "https://news.example/", "user-agent": "journey-test" },
    });
    const aid = cookieValue(cookieLine(first, "aid"))!;
    expect(first.body).toContain("aid=");
    // As the browser does: both of the middleware's cookies come back.
    const cookie = `aid=${aid}; aid_session=${cookieValue(cookieLine(first, "aid_session"))!}`;
    await send(`${app.url}/pricing`, { headers: { cookie } });
    await send(`${app.url}/signup`, { headers: { cookie } });
    const signup = await send(`${app.url}/signup`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "email=Ada%40Example.com",
    });
    expect(signup.status).toBe(303);
    // The app's own login cookie; nothing of ours (the visitor's id and session are current).
    expect(signup.setCookies.map((line) => line.split("=")[0])).toEqual(["session"]);
    const session = cookieValue(cookieLine(signup, "session"))!;
    await send(`${app.url}/welcome`, { headers: { cookie: `${cookie}; session=${session}` } });
    await analytics.flush();

    expect(summary(aid, (e) => [e.type, e.name ?? e.event ?? null, e.userId ?? null])).toEqual(
      sorted([
        ["page", "Home", null],
        ["page", "Pricing", null],
        ["page", "Sign up", null],
        ["identify", null, session],
        ["track", "Signed Up", session],
        ["page", "Welcome", session],
      ]),
    );
    const events = eventsOf(aid);
    expect(events.find((e) => e.type === "identify")!.traits).toEqual({ email: "ada@example.com" });
    expect(events.find((e) => e.name === "Home")!.context).toMatchObject({
      userAgent: "journey-test",
      campaign: { source: "newsletter", name: "spring" },
      page: { path: "/", referrer: "https://news.example/" },
      library: { name: "threadline" },
    });
    expect(collector.authorizations[0]).toBe(`Basic ${Buffer.from("k:").toString("base64")}`);
  });
});

describe("examples/koa", () => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await serve(createKoaApp({ analytics }).callback() as RequestListener);
  });
  afterAll(() => app?.close());

  test("anonymous pages and the signup share one anonymousId", async () => {
    const first = await send(`${app.url}/`);
    const aid = cookieValue(cookieLine(first, "aid"))!;
    await send(`${app.url}/pricing`, { headers: { cookie: `aid=${aid}` } });
    const signup = await send(`${app.url}/signup`, {
      method: "POST",
      headers: { cookie: `aid=${aid}`, "content-type": "application/x-www-form-urlencoded" },
      body: "email=grace%40example.com",
    });
    const { userId, anonymousId } = signup.json<{ userId: string; anonymousId: string }>();
    expect(anonymousId).toBe(aid);
    await analytics.flush();
    expect(summary(aid, (e) => [e.type, e.userId ?? null])).toEqual(
      sorted([
        ["page", null],
        ["page", null],
        ["identify", userId],
        ["track", userId],
      ]),
    );
  });
});

describe.each(FRAMEWORKS)("%s with the real client", (framework) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startApp(framework, { identity: { analytics } });
  });
  afterAll(() => app?.close());

  test("a page on the first visit and the signup later reach the collector with the cookie's id", async () => {
    const first = await send(`${app.url}/page`);
    const aid = cookieValue(cookieLine(first, "aid"))!;
    await send(`${app.url}/signup?user=u-${framework}`, { headers: { cookie: `aid=${aid}` } });
    await analytics.flush();
    expect(summary(aid, (e) => [e.type, e.userId ?? null])).toEqual(
      sorted([
        ["page", null],
        ["identify", `u-${framework}`],
        ["track", `u-${framework}`],
      ]),
    );
  });
});

describe("without an analytics option", () => {
  test("calls go to the default client, looked up at call time so init() may come after app.use()", async () => {
    const app = await startApp("express5", { identity: {} });
    try {
      init({ host: collector.url, writeKey: "k", flushAt: 1 });
      const reply = await send(`${app.url}/page`, { headers: { cookie: "aid=default-client-visitor" } });
      expect(reply.status).toBe(200);
      await flushDefault();
      expect(summary("default-client-visitor", (e) => [e.type, e.name])).toEqual([["page", "Landing"]]);
    } finally {
      await closeDefault({ timeoutMs: 2000 });
      await app.close();
    }
  });
});
