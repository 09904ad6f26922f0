// A request with no Cookie header at all skips adoption and browser-session lookups: on
// every adapter, it must write exactly what a first visit that does send (unrelated)
// cookies gets, for each option set that changes the lines.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ownerTag, parseSessionCookie } from "../../src/identity/session-cookie.js";
import { ALL_ADAPTERS, startAdapter, type AppOptions } from "./helpers/all-adapters.js";
import type { RunningApp } from "./helpers/frameworks.js";
import { cookieAttributes, cookieValue, send, type Reply } from "./helpers/http.js";
import { RecordingTracker } from "./helpers/recording-tracker.js";

const OPTION_SETS: [string, AppOptions][] = [
  ["defaults", {}],
  ["the Segment mirror", { mirror: ["segment"] }],
  ["session: false", { session: false }],
  ["a domain, httpOnly, a short max age", { domain: "shop.example", httpOnly: true, maxAgeSeconds: 7200 }],
  ["scope: false", { scope: false }],
];

/** Each line's cookie name and attributes: what must match (the values are new ids). */
const shape = (reply: Reply) =>
  reply.setCookies.map((line) => [line.slice(0, line.indexOf("=")), cookieAttributes(line)]).sort();

describe.each(ALL_ADAPTERS)("%s", (adapter) => {
  const apps = new Map<string, RunningApp>();
  beforeAll(async () => {
    const tracker = new RecordingTracker();
    for (const [name, options] of OPTION_SETS)
      apps.set(name, await startAdapter(adapter, { analytics: tracker, ...options }, tracker));
  });
  afterAll(async () => {
    await Promise.all([...apps.values()].map((app) => app.close()));
  });

  test.each(OPTION_SETS)(
    "no Cookie header at all writes what a first visit with other cookies writes (%s)",
    async (name) => {
      const url = `${apps.get(name)!.url}/visit`;
      const bare = await send(url);
      const withOthers = await send(url, { headers: { cookie: "theme=dark; _ga=GA1.1.1.1" } });
      expect(bare.status).toBe(200);
      expect(shape(bare)).toEqual(shape(withOthers));
      expect(shape(bare).length).toBeGreaterThan(0);
      const { anonymousId } = bare.json<{ anonymousId: string }>();
      expect(cookieValue(bare.setCookies.find((line) => line.startsWith("aid=")))).toBe(anonymousId);
    },
  );

  test("the new session belongs to the new id: index 1, no previous, the id's owner tag", async () => {
    const reply = await send(`${apps.get("defaults")!.url}/visit`);
    const { anonymousId } = reply.json<{ anonymousId: string }>();
    const stored = parseSessionCookie(
      cookieValue(reply.setCookies.find((line) => line.startsWith("aid_session="))),
      Date.now(),
    );
    expect(stored).toMatchObject({ index: 1, previousSessionId: null, owner: ownerTag(anonymousId) });
  });
});
