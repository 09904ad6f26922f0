// The consent table, on every adapter's real server: for each level, which cookies are
// written, read and expired, and what is sent; Sec-GPC: 1 under each `gpc` setting.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { Analytics, type DropEvent } from "../../src/index.js";
import type { Session } from "../../src/identity/session.js";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";
import { ALL_ADAPTERS, startAdapter } from "./helpers/all-adapters.js";
import { CookieJar } from "./helpers/cookie-jar.js";
import type { RunningApp } from "./helpers/frameworks.js";
import { cookieAttributes, send } from "./helpers/http.js";

interface Body {
  anonymousId: string;
  session: Session | null;
  consent: string;
}

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector?.close());
/** Messages about `anonymousId` that arrived in collector requests from index `since` on. */
const sentFor = (anonymousId: string, since = 0) =>
  collector.requests
    .slice(since)
    .flatMap((r) => r.body.batch)
    .filter((m) => m.anonymousId === anonymousId || m.previousId === anonymousId);
const names = (lines: string[]) => lines.map((line) => line.split("=")[0]).sort();
const expired = (lines: string[]) => names(lines.filter((line) => /;\s*Max-Age=0(;|$)/i.test(line)));
const written = (lines: string[]) => names(lines.filter((line) => !/;\s*Max-Age=0(;|$)/i.test(line)));

describe.each(ALL_ADAPTERS)("%s", (adapter) => {
  let analytics: Analytics;
  let app: RunningApp, gpcNone: RunningApp, gpcIgnore: RunningApp;
  const drops: DropEvent[] = [];
  beforeAll(async () => {
    analytics = new Analytics({ host: collector.url, flushAt: 1000, flushInterval: 60_000 });
    analytics.on("drop", (event) => drops.push(event));
    const options = { analytics, withConsent: true, mirror: ["segment"] as const, hosts: ["127.0.0.1"] };
    [app, gpcNone, gpcIgnore] = await Promise.all([
      startAdapter(adapter, options, analytics),
      startAdapter(adapter, { ...options, gpc: "none" }, analytics),
      startAdapter(adapter, { ...options, gpc: "ignore" }, analytics),
    ]);
  });
  afterAll(async () => {
    await Promise.all([app, gpcNone, gpcIgnore].map((a) => a?.close()));
    await analytics?.close({ timeoutMs: 1000 });
  });
  beforeEach(() => {
    drops.length = 0;
  });
  const consentDrops = () => drops.filter((d) => d.reason === "consent").reduce((sum, d) => sum + d.count, 0);

  async function signup(
    base: string,
    jar: CookieJar,
    headers: Record<string, string>,
  ): Promise<{ body: Body; lines: string[] }> {
    const cookie = jar.header();
    const reply = jar.take(await send(`${base}/signup`, { headers: { ...headers, ...(cookie ? { cookie } : {}) } }));
    await analytics.flush();
    return { body: reply.json<Body>(), lines: reply.setCookies };
  }

  /** A visitor who came with full consent before; returns where the collector's requests stood after. */
  async function returningJar(): Promise<{ jar: CookieJar; since: number }> {
    const jar = new CookieJar();
    jar.take(await send(`${app.url}/visit`, { headers: { "x-consent": "full" } }));
    expect([...jar.values.keys()].sort()).toEqual(["aid", "aid_session", "ajs_anonymous_id"]);
    await analytics.flush();
    drops.length = 0;
    return { jar, since: collector.requests.length };
  }

  test("full: aid, session and mirror written; aid read back; everything sent with userId, traits and ip", async () => {
    const { jar, since } = await returningJar();
    const { body, lines } = await signup(app.url, jar, { "x-consent": "full" });
    expect(body.anonymousId).toBe(jar.values.get("aid"));
    expect(body.consent).toBe("full");
    expect(lines).toEqual([]);
    const sent = sentFor(body.anonymousId, since);
    expect(sent.map((m) => m.type).sort()).toEqual(["alias", "identify", "track", "track"]);
    expect(sent.find((m) => m.type === "identify")).toMatchObject({
      userId: "u1",
      traits: { email: "ada@example.com" },
    });
    expect(sent.find((m) => m.event === "Signed Up")).toMatchObject({ userId: "u1" });
    for (const message of sent) expect(message.context).toHaveProperty("ip");
    expect(consentDrops()).toBe(0);
  });

  test("anonymous: no persistent cookie written or read, the persistent ones expired; id = session id; no userId, traits, ip, identify or alias", async () => {
    const { jar, since } = await returningJar();
    const aid = jar.values.get("aid")!;
    const { body, lines } = await signup(app.url, jar, { "x-consent": "anonymous" });
    expect(body.consent).toBe("anonymous");
    expect(body.anonymousId).not.toBe(aid);
    expect(body.anonymousId).toBe(body.session!.sessionId);
    expect(expired(lines)).toEqual(["aid", "ajs_anonymous_id"]);
    expect(written(lines)).toEqual(["aid_session"]);
    // The session cookie ends with the browser session: no Max-Age, no Expires.
    const sessionLine = lines.find((line) => line.startsWith("aid_session="))!;
    expect(cookieAttributes(sessionLine)).not.toHaveProperty("max-age");
    expect(cookieAttributes(sessionLine)).not.toHaveProperty("expires");

    const sent = sentFor(body.anonymousId, since);
    expect(sent.map((m) => m.event).sort()).toEqual(["Signed Up", "Welcome Queued"]);
    for (const message of sent) {
      expect(message).not.toHaveProperty("userId");
      expect(message).not.toHaveProperty("traits");
      expect(message.context).not.toHaveProperty("ip");
      expect(message.context).toMatchObject({ consent: "anonymous", session: body.session });
    }
    expect(sentFor(aid, since)).toHaveLength(0);
    expect(consentDrops()).toBe(2); // identify and alias

    // The next anonymous request keeps the same session (and so the same id), writing nothing.
    const again = await signup(app.url, jar, { "x-consent": "anonymous" });
    expect(again.body.anonymousId).toBe(body.anonymousId);
    expect(again.lines).toEqual([]);
  });

  test("none: nothing written, full → none expires aid, the session cookie and the mirror; nothing sent, drops with reason consent", async () => {
    const { jar, since } = await returningJar();
    const aid = jar.values.get("aid")!;
    const { body, lines } = await signup(app.url, jar, { "x-consent": "none" });
    expect(body.consent).toBe("none");
    expect(body.session).toBeNull();
    expect(body.anonymousId).not.toBe(aid);
    expect(expired(lines)).toEqual(["aid", "aid_session", "ajs_anonymous_id"]);
    expect(written(lines)).toEqual([]);
    expect(jar.values.size).toBe(0);
    expect(collector.requests.slice(since).flatMap((r) => r.body.batch)).toEqual([]);
    expect(consentDrops()).toBe(4); // identify, track, the scoped track, alias
    expect(drops.every((d) => d.reason === "consent")).toBe(true);

    // With the cookies gone, a none request writes and expires nothing at all.
    const again = await signup(app.url, jar, { "x-consent": "none" });
    expect(again.lines).toEqual([]);
  });

  test.each([
    ["anonymous (the default)", () => app, "anonymous"],
    ["none", () => gpcNone, "none"],
    ["ignore", () => gpcIgnore, "full"],
  ])("Sec-GPC: 1 with gpc %s: a full request gets %s", async (_, which, expected) => {
    const jar = new CookieJar();
    const { body, lines } = await signup(which().url, jar, { "x-consent": "full", "sec-gpc": "1" });
    expect(body.consent).toBe(expected);
    if (expected === "full") expect(written(lines)).toEqual(["aid", "aid_session", "ajs_anonymous_id"]);
    if (expected === "anonymous") expect(written(lines)).toEqual(["aid_session"]);
    if (expected === "none") expect(lines).toEqual([]);
    const sent = sentFor(body.anonymousId);
    expect(sent.length).toBe(expected === "full" ? 4 : expected === "anonymous" ? 2 : 0);
  });

  test("Sec-GPC: 1 never raises a level: an anonymous request stays anonymous under gpc ignore", async () => {
    const { body } = await signup(gpcIgnore.url, new CookieJar(), { "x-consent": "anonymous", "sec-gpc": "1" });
    expect(body.consent).toBe("anonymous");
  });
});
