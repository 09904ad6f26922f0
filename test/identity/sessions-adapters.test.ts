// Sessions on every adapter, on real servers: the first visit's session, a run of
// requests keeping it with few cookie writes, a new session after the timeout, events
// (request-scoped and scoped) carrying context.session, a garbage cookie never echoed.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Analytics } from "../../src/index.js";
import type { Session } from "../../src/identity/session.js";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";
import { ALL_ADAPTERS, startAdapter } from "./helpers/all-adapters.js";
import { CookieJar } from "./helpers/cookie-jar.js";
import type { RunningApp } from "./helpers/frameworks.js";
import { cookieAttributes, cookieLine, send } from "./helpers/http.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
interface Body {
  anonymousId: string;
  session: Session | null;
}

let collector: TestCollector;
beforeAll(async () => {
  collector = await startTestCollector();
});
afterAll(() => collector?.close());

describe.each(ALL_ADAPTERS)("%s", (adapter) => {
  let analytics: Analytics;
  let app: RunningApp, short: RunningApp;
  beforeAll(async () => {
    analytics = new Analytics({ host: collector.url, flushAt: 1000, flushInterval: 60_000 });
    [app, short] = await Promise.all([
      startAdapter(adapter, { analytics }, analytics),
      startAdapter(adapter, { analytics, session: { timeoutSeconds: 1 } }, analytics),
    ]);
  });
  afterAll(async () => {
    await Promise.all([app?.close(), short?.close()]);
    await analytics?.close({ timeoutMs: 1000 });
  });

  const visit = async (base: string, jar: CookieJar, path = "/visit") =>
    jar
      .take(await send(`${base}${path}`, { headers: jar.values.size > 0 ? { cookie: jar.header() } : {} }))
      .json<Body>();

  test("the first visit gets a session: index 1, no previous, in a cookie as long-lived as aid", async () => {
    const jar = new CookieJar();
    const reply = jar.take(await send(`${app.url}/visit`));
    const { session, anonymousId } = reply.json<Body>();
    expect(session).toMatchObject({ sessionIndex: 1, previousSessionId: null });
    expect(session!.sessionId).toMatch(UUID);
    expect(Date.parse(session!.startedAt)).toBeGreaterThan(Date.now() - 60_000);
    const line = cookieLine(reply, "aid_session")!;
    expect(cookieAttributes(line)).toEqual(cookieAttributes(cookieLine(reply, "aid")!));
    expect(jar.values.get("aid")).toBe(anonymousId);
  });

  test("20 requests within the timeout keep the session and write its cookie at most twice", async () => {
    const jar = new CookieJar();
    const sessions = new Set<string>();
    for (let i = 0; i < 20; i++) sessions.add((await visit(app.url, jar)).session!.sessionId);
    expect(sessions.size).toBe(1);
    expect(jar.writes("aid_session")).toBeGreaterThanOrEqual(1);
    expect(jar.writes("aid_session")).toBeLessThanOrEqual(2);
    expect(jar.writes("aid")).toBe(1);
  });

  test("after the timeout (timeoutSeconds: 1) a new session: index 2, previous = the first", async () => {
    const jar = new CookieJar();
    const first = (await visit(short.url, jar)).session!;
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const second = await visit(short.url, jar);
    expect(second.session).toMatchObject({ sessionIndex: 2, previousSessionId: first.sessionId });
    expect(second.session!.sessionId).not.toBe(first.sessionId);
    // Same visitor, same id: only the session moved on.
    expect(jar.writes("aid")).toBe(1);
  });

  test("request-scoped and scoped (module-level) events carry context.session", async () => {
    const jar = new CookieJar();
    const { anonymousId, session } = await visit(app.url, jar);
    await visit(app.url, jar, "/signup");
    await analytics.flush();
    const mine = collector.requests.flatMap((r) => r.body.batch).filter((m) => m.anonymousId === anonymousId);
    expect(mine.map((m) => m.event ?? m.type).sort()).toEqual(
      ["Request Track", "Scoped Track", "Signed Up", "Welcome Queued", "identify"].sort(),
    );
    for (const message of mine) expect((message.context as { session: Session }).session).toEqual(session);
    const alias = collector.requests
      .flatMap((r) => r.body.batch)
      .find((m) => m.type === "alias" && m.previousId === anonymousId);
    expect((alias!.context as { session: Session }).session).toEqual(session);
  });

  test.each([
    ["CR/LF", "zq%0D%0ASet-Cookie:%20evil=1"],
    ["quotes", '"zq-quoted"'],
    ["wrong shape", "zq.zq.zq"],
    ["a future activity time", `6b3e1f0a-2c4d-4e5f-8a9b-0c1d2e3f4a5b.5.1.${Date.now() + 86_400_000}..zq`],
  ])("a garbage session cookie (%s) is ignored without echo: a new session at index 1", async (_, garbage) => {
    const reply = await send(`${app.url}/visit`, {
      headers: { cookie: `aid=returning-zq-visitor; aid_session=${garbage}` },
    });
    const { session } = reply.json<Body>();
    expect(session).toMatchObject({ sessionIndex: 1, previousSessionId: null });
    expect(reply.setCookies.join("\n")).not.toContain("zq.");
    expect(reply.setCookies.join("\n")).not.toContain("evil");
    expect(reply.setCookies.join("\n")).not.toContain("quoted");
    expect(reply.body).not.toContain(garbage.slice(0, 8));
  });

  test("reset() starts a new anonymous id whose first session is index 1", async () => {
    const jar = new CookieJar();
    await visit(short.url, jar);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    const before = await visit(short.url, jar);
    expect(before.session!.sessionIndex).toBe(2);
    const after = await visit(short.url, jar, "/reset");
    expect(after.anonymousId).not.toBe(before.anonymousId);
    expect(after.session).toMatchObject({ sessionIndex: 1, previousSessionId: null });
    expect(after.session!.sessionId).not.toBe(before.session!.sessionId);
    expect(jar.values.get("aid")).toBe(after.anonymousId);
    // The next request continues the new id's session.
    expect((await visit(short.url, jar)).session!.sessionId).toBe(after.session!.sessionId);
  });

  test("session: false: no session cookie and no context.session", async () => {
    const off = await startAdapter(adapter, { analytics, session: false }, analytics);
    try {
      const reply = await send(`${off.url}/visit`);
      expect(reply.json<Body>().session).toBeNull();
      expect(cookieLine(reply, "aid_session")).toBeUndefined();
      await analytics.flush();
      const id = reply.json<Body>().anonymousId;
      const mine = collector.requests.flatMap((r) => r.body.batch).filter((m) => m.anonymousId === id);
      expect(mine).toHaveLength(2);
      for (const message of mine) expect(message.context).not.toHaveProperty("session");
    } finally {
      await off.close();
    }
  });
});
