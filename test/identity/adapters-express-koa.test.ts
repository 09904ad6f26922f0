// Real Express 5, Express 4, Koa 3 and Koa 2 servers on 127.0.0.1, real HTTP requests.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cookieAttributes, cookieLine, cookieValue, send, type Reply } from "./helpers/http.js";
import { FRAMEWORKS, startApp, type RunningApp } from "./helpers/frameworks.js";
import { pair, recorded } from "./helpers/fixtures.js";
import { RecordingTracker } from "./helpers/recording-tracker.js";
import { selfSignedCertificate } from "./helpers/tls.js";

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const tls = selfSignedCertificate(["127.0.0.1"]);
const idOf = (reply: Reply): string => reply.json<{ anonymousId: string }>().anonymousId;
const latin1 = (text: string): string => Buffer.from(text, "utf8").toString("latin1");

describe.each(FRAMEWORKS)("%s", (framework) => {
  const tracker = new RecordingTracker();
  const trustedTracker = new RecordingTracker();
  let plain: RunningApp, trusted: RunningApp, https: RunningApp, mirrored: RunningApp, tuned: RunningApp;

  beforeAll(async () => {
    [plain, trusted, https, mirrored, tuned] = await Promise.all([
      // These pin the `aid` cookie alone; sessions (on by default) have their own tests.
      startApp(framework, { identity: { analytics: tracker, session: false } }),
      startApp(framework, { identity: { analytics: trustedTracker, session: false }, trustProxy: true }),
      startApp(framework, { identity: { analytics: tracker, session: false }, tls }),
      startApp(framework, {
        identity: {
          analytics: tracker,
          session: false,
          mirror: ["segment"],
          httpOnly: true,
          hosts: ["www.shop.example"],
        },
      }),
      startApp(framework, {
        identity: {
          analytics: tracker,
          session: false,
          rolling: true,
          domain: "shop.example",
          maxAgeSeconds: 3600,
          cookieName: "tl_aid",
        },
        mountTwice: true,
      }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain, trusted, https, mirrored, tuned].map((app) => app?.close()));
  });

  test("a first visit gets a new aid cookie with the right attributes", async () => {
    const reply = await send(`${plain.url}/id`);
    const line = cookieLine(reply, "aid");
    expect(line).toBeDefined();
    expect(cookieValue(line)).toMatch(UUID_V4);
    expect(idOf(reply)).toBe(cookieValue(line));
    expect(cookieAttributes(line!)).toEqual({ "max-age": "31536000", path: "/", samesite: "Lax" });
    expect(reply.setCookies).toHaveLength(1);
  });

  test("a returning visit keeps the id and sends no cookie", async () => {
    const first = await send(`${plain.url}/id`);
    const id = cookieValue(cookieLine(first, "aid"))!;
    const again = await send(`${plain.url}/id`, { headers: { cookie: `other=1; aid=${id}` } });
    expect(idOf(again)).toBe(id);
    expect(again.setCookies).toEqual([]);
  });

  test.each([
    ["Segment raw (analytics.js 1.84)", () => pair(recorded.segment), () => recorded.segmentId],
    [
      "Segment JSON-quoted, URL-encoded (older analytics.js)",
      () => `ajs_anonymous_id=${recorded.segmentQuotedValue}`,
      () => recorded.segmentId,
    ],
    [
      "Snowplow _sp_id",
      () => `_sp_ses.c169=*; ${pair(recorded.snowplow)}`,
      () => recorded.snowplow.value.split(".")[0]!,
    ],
    ["PostHog, anonymous", () => recorded.posthogAnonymousPair, () => recorded.posthogDeviceId],
    ["PostHog, after identify()", () => recorded.posthogIdentifiedPair, () => recorded.posthogDeviceId],
  ])("adopts the %s id and re-issues it as aid", async (_, cookie, expected) => {
    const reply = await send(`${plain.url}/id`, { headers: { cookie: cookie() } });
    expect(idOf(reply)).toBe(expected());
    expect(cookieValue(cookieLine(reply, "aid"))).toBe(expected());
  });

  // Each value carries a marker (letters a UUID never has) that must not come back.
  test.each([
    ["CR/LF (encoded)", "aid=zq%0D%0ASet-Cookie:%20evil=1", "evil"],
    ["a semicolon inside quotes", 'aid="zqx;zqy"', "zqx"],
    ["a semicolon (encoded)", "aid=zqx%3Bzqy", "zqx"],
    ["quotes", 'aid="zq-quoted"', "zq-quoted"],
    ["10 KB", `aid=${"k".repeat(10 * 1024)}`, "kkkk"],
    ["unicode", latin1("aid=ünïcödé-zq9"), "zq9"],
    ["empty", "aid=; x=1", "aid=;"],
    ["duplicates, both bad", 'aid="zq-one"; aid=zq%20two', "zq"],
  ])("ignores %s without echo and issues a fresh id", async (_, cookie, marker) => {
    const reply = await send(`${plain.url}/id`, { headers: { cookie } });
    expect(reply.status).toBe(200);
    const id = idOf(reply);
    expect(id).toMatch(UUID_V4);
    expect(cookieValue(cookieLine(reply, "aid"))).toBe(id);
    expect(reply.setCookies).toHaveLength(1);
    expect(reply.setCookies[0]).not.toContain(marker);
    expect(reply.body).not.toContain(marker);
  });

  test("two aid cookies: the first valid one wins", async () => {
    const reply = await send(`${plain.url}/id`, { headers: { cookie: 'aid="bad"; aid=good-id-2; aid=good-id-3' } });
    expect(idOf(reply)).toBe("good-id-2");
    expect(cookieValue(cookieLine(reply, "aid"))).toBe("good-id-2");
  });

  test("the app's own Set-Cookie headers survive, before and after the middleware", async () => {
    const early = await send(`${plain.url}/early-cookie`);
    expect(early.setCookies.map((line) => line.split("=")[0])).toEqual(["early", "early2", "aid"]);
    const late = await send(`${plain.url}/late-cookie`);
    expect(late.setCookies.map((line) => line.split("=")[0])).toEqual(["aid", "late"]);
  });

  test("Secure only over HTTPS or from a trusted proxy saying https", async () => {
    const overHttps = await send(`${https.url}/id`);
    expect(cookieAttributes(cookieLine(overHttps, "aid")!)).toHaveProperty("secure", true);

    const spoofed = await send(`${plain.url}/id`, { headers: { "x-forwarded-proto": "https" } });
    expect(cookieAttributes(cookieLine(spoofed, "aid")!)).not.toHaveProperty("secure");

    const proxied = await send(`${trusted.url}/id`, { headers: { "x-forwarded-proto": "https" } });
    expect(cookieAttributes(cookieLine(proxied, "aid")!)).toHaveProperty("secure", true);
    const proxiedHttp = await send(`${trusted.url}/id`, { headers: { "x-forwarded-proto": "http" } });
    expect(cookieAttributes(cookieLine(proxiedHttp, "aid")!)).not.toHaveProperty("secure");
  });

  test("context.ip follows the framework's proxy trust", async () => {
    const headers = { "x-forwarded-for": "198.51.100.7", cookie: "aid=ip-test" };
    await send(`${plain.url}/page`, { headers });
    await send(`${trusted.url}/page`, { headers });
    const ipOf = (t: RecordingTracker) =>
      (t.calls.filter((c) => c.message.anonymousId === "ip-test").at(-1)!.message.context as { ip: string }).ip;
    expect(ipOf(trustedTracker)).toBe("198.51.100.7");
    expect(ipOf(tracker)).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
  });

  test("signup in the request: identify then track carry the anonymous id and the user id", async () => {
    const reply = await send(`${plain.url}/signup?user=ada&utm_campaign=launch`, {
      headers: { cookie: "aid=signup-visitor" },
    });
    expect(reply.status).toBe(200);
    const calls = tracker.calls.filter((c) => c.message.anonymousId === "signup-visitor");
    expect(calls.map((c) => [c.type, c.message.userId])).toEqual([
      ["identify", "ada"],
      ["track", "ada"],
    ]);
    expect(calls[1]!.message.context).toMatchObject({ campaign: { name: "launch" }, page: { path: "/signup" } });
  });

  test("reset() gives the rest of the request a new id and replaces the cookie set earlier", async () => {
    const reply = await send(`${plain.url}/reset`);
    const { before, after } = reply.json<{ before: string; after: string }>();
    expect(after).not.toBe(before);
    expect(idOf(reply)).toBe(after);
    expect(reply.setCookies.filter((line) => line.startsWith("aid="))).toEqual([
      expect.stringMatching(`^aid=${after};`),
    ]);
    const afterReset = tracker.calls.find((c) => c.message.event === "After Reset" && c.message.anonymousId === after);
    expect(afterReset?.message.userId).toBeUndefined();
  });

  test("mirror: ajs_anonymous_id written raw, never HttpOnly, on the registrable domain of a served host, host-only on an IP", async () => {
    const onIp = await send(`${mirrored.url}/id`);
    const id = idOf(onIp);
    expect(cookieAttributes(cookieLine(onIp, "aid")!)).toHaveProperty("httponly", true);
    const segment = cookieLine(onIp, "ajs_anonymous_id")!;
    expect(cookieValue(segment)).toBe(id);
    expect(cookieAttributes(segment)).toEqual({ "max-age": "31536000", path: "/", samesite: "Lax" });

    const onDomain = await send(`${mirrored.url}/id`, { headers: { host: "www.shop.example" } });
    expect(cookieAttributes(cookieLine(onDomain, "ajs_anonymous_id")!)).toMatchObject({ domain: "shop.example" });
    expect(cookieAttributes(cookieLine(onDomain, "aid")!)).not.toHaveProperty("domain");

    // A Host header the app does not serve chooses no Domain.
    const spoofed = await send(`${mirrored.url}/id`, { headers: { host: "www.evil.example" } });
    expect(cookieAttributes(cookieLine(spoofed, "ajs_anonymous_id")!)).not.toHaveProperty("domain");
  });

  test("mirror: only written when the browser's Segment cookie is missing or differs", async () => {
    const missing = await send(`${mirrored.url}/id`, { headers: { cookie: "aid=known-1" } });
    expect(missing.setCookies.map((l) => l.split(";")[0])).toEqual(["ajs_anonymous_id=known-1"]);
    const differs = await send(`${mirrored.url}/id`, { headers: { cookie: "aid=known-1; ajs_anonymous_id=older-2" } });
    expect(idOf(differs)).toBe("known-1");
    expect(differs.setCookies.map((l) => l.split(";")[0])).toEqual(["ajs_anonymous_id=known-1"]);
    const same = await send(`${mirrored.url}/id`, {
      headers: { cookie: "aid=known-1; ajs_anonymous_id=%22known-1%22" },
    });
    expect(same.setCookies).toEqual([]);
  });

  test("options: cookie name, domain, lifetime and rolling; mounted twice still sets one cookie", async () => {
    const first = await send(`${tuned.url}/id`, { headers: { host: "www.shop.example" } });
    expect(first.setCookies).toHaveLength(1);
    const line = cookieLine(first, "tl_aid")!;
    expect(cookieAttributes(line)).toEqual({ "max-age": "3600", domain: "shop.example", path: "/", samesite: "Lax" });
    const id = cookieValue(line)!;
    expect(idOf(first)).toBe(id);

    const again = await send(`${tuned.url}/id`, {
      headers: { host: "www.shop.example", cookie: `aid=ignored; tl_aid=${id}` },
    });
    expect(idOf(again)).toBe(id);
    expect(again.setCookies.map((l) => l.split(";")[0])).toEqual([`tl_aid=${id}`]);
  });
});
