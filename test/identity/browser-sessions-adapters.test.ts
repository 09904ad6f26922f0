// A live Snowplow or PostHog browser session, with the cookies the real SDKs wrote
// (recorded fixtures), is adopted by every adapter's server; a stale one is not.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Session } from "../../src/identity/session.js";
import { ALL_ADAPTERS, startAdapter } from "./helpers/all-adapters.js";
import { CookieJar } from "./helpers/cookie-jar.js";
import type { RunningApp } from "./helpers/frameworks.js";
import { send } from "./helpers/http.js";
import { RecordingTracker } from "./helpers/recording-tracker.js";
import { cookieHeader, sessionFixtures } from "./helpers/session-fixtures.js";

const { snowplow, posthog } = sessionFixtures;
const spFields = (visit: typeof snowplow.first) =>
  visit.cookies.find((c) => c.name.startsWith("_sp_id."))!.value.split(".");
const phCookie = posthog.first.cookies.find((c) => c.name.endsWith("_posthog"))!;
const phData = JSON.parse(decodeURIComponent(phCookie.value)) as {
  $sesid: [number, string, number];
  $configured_session_timeout_ms: number;
};

/** The recorded PostHog cookie with its `$sesid` times moved to `lastActivityMs` (the recording is in the past). */
function posthogAt(lastActivityMs: number): string {
  const data = { ...phData, $sesid: [lastActivityMs, phData.$sesid[1], lastActivityMs - 1000] };
  return `${phCookie.name}=${encodeURIComponent(JSON.stringify(data))}`;
}

interface Body {
  anonymousId: string;
  session: Session | null;
}

describe.each(ALL_ADAPTERS)("%s", (adapter) => {
  let app: RunningApp;
  beforeAll(async () => {
    const tracker = new RecordingTracker();
    app = await startAdapter(adapter, { analytics: tracker, withConsent: true }, tracker);
  });
  afterAll(() => app?.close());

  const visit = async (jar: CookieJar, extra: string, headers: Record<string, string> = {}) => {
    const cookie = [jar.header(), extra].filter((part) => part !== "").join("; ");
    return jar.take(await send(`${app.url}/visit`, { headers: { ...headers, cookie } })).json<Body>();
  };

  test("Snowplow: a live session (_sp_ses present) is adopted, index and previous id from _sp_id", async () => {
    const jar = new CookieJar();
    const fields = spFields(snowplow.first);
    const body = await visit(jar, cookieHeader(snowplow.first));
    expect(body.anonymousId).toBe(fields[0]);
    expect(body.session).toEqual({
      sessionId: fields[5],
      sessionIndex: 1,
      previousSessionId: null,
      startedAt: new Date(Number(fields[3]) * 1000).toISOString(),
    });
    // Our own cookie follows it, so the thread holds if the browser's cookies go away.
    expect(jar.values.get("aid_session")!.startsWith(`${fields[5]}.1.`)).toBe(true);
  });

  test("Snowplow: the page request after _sp_ses expired keeps our session; the next one joins the tracker's new session", async () => {
    const jar = new CookieJar();
    const first = await visit(jar, cookieHeader(snowplow.first));
    // The tracker has not run yet: _sp_id still names the old session, _sp_ses is gone.
    const expired = await visit(jar, cookieHeader(snowplow.expired));
    expect(expired.session!.sessionId).toBe(first.session!.sessionId);
    const second = await visit(jar, cookieHeader(snowplow.second));
    const fields = spFields(snowplow.second);
    expect(second.session).toMatchObject({
      sessionId: fields[5],
      sessionIndex: 2,
      previousSessionId: first.session!.sessionId,
    });
  });

  test("Snowplow without _sp_ses: not adopted, our own session", async () => {
    const body = await visit(new CookieJar(), cookieHeader(snowplow.expired));
    expect(body.session!.sessionId).not.toBe(spFields(snowplow.expired)[5]);
    expect(body.session!.sessionIndex).toBe(1);
  });

  test("PostHog: a live $sesid is adopted; index and previous id come from our own cookie", async () => {
    const fresh = await visit(new CookieJar(), posthogAt(Date.now() - 1000));
    expect(fresh.session).toMatchObject({ sessionId: phData.$sesid[1], sessionIndex: 1, previousSessionId: null });

    const jar = new CookieJar();
    const ours = await visit(jar, "");
    const adopted = await visit(jar, posthogAt(Date.now() - 1000));
    expect(adopted.session).toMatchObject({
      sessionId: phData.$sesid[1],
      sessionIndex: 2,
      previousSessionId: ours.session!.sessionId,
    });
    // Same PostHog session next time: same index, no new write.
    const writes = jar.writes("aid_session");
    const again = await visit(jar, posthogAt(Date.now() - 500));
    expect(again.session).toEqual(adopted.session);
    expect(jar.writes("aid_session")).toBe(writes);
  });

  test("PostHog: $sesid idle past its configured timeout is not adopted (the cookie outlives the session)", async () => {
    const idle = Date.now() - phData.$configured_session_timeout_ms - 5000;
    const body = await visit(new CookieJar(), posthogAt(idle));
    expect(body.session!.sessionId).not.toBe(phData.$sesid[1]);
  });

  test("under anonymous consent no browser session is adopted", async () => {
    const body = await visit(new CookieJar(), cookieHeader(snowplow.first), { "x-consent": "anonymous" });
    expect(body.session!.sessionId).not.toBe(spFields(snowplow.first)[5]);
    expect(body.anonymousId).toBe(body.session!.sessionId);
  });
});
