// Issue 14's failing scenario, on every adapter: a first visit's page view, then a signup
// whose service function calls the module-level identify and track. With the request
// scope both carry the visitor's anonymousId, so the collector's journey of the new user
// holds the earlier page.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { cookieLine, cookieValue, send } from "../identity/helpers/http.js";
import { startDevCollector, type DevCollector } from "./helpers/dev-collector.js";
import { SCOPED_FRAMEWORKS, startScopedApp } from "./helpers/apps.js";
import type { RunningApp } from "../identity/helpers/frameworks.js";

let collector: DevCollector;
beforeAll(async () => {
  collector = await startDevCollector();
});
afterAll(() => collector?.close());

describe.each(SCOPED_FRAMEWORKS)("%s", (framework) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startScopedApp(framework);
  });
  afterAll(() => app?.close());

  test("module-level identify and track in createUser() land on the visitor's thread", async () => {
    const first = await send(`${app.url}/`, { headers: { "user-agent": `ua-${framework}` } });
    const aid = cookieValue(cookieLine(first, "aid"))!;
    expect(aid).toMatch(/^[0-9a-f-]{36}$/);
    const signup = await send(`${app.url}/signup`, {
      method: "POST",
      headers: {
        cookie: `aid=${aid}`,
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": `ua-${framework}`,
      },
      body: `email=${framework}%40example.com`,
    });
    expect(signup.status).toBe(200);
    const { userId } = signup.json<{ userId: string }>();

    const journey = await collector.journey(userId);
    expect(journey.anonymousIds).toEqual([aid]);
    expect(journey.events.map((e) => [e.type, e.name ?? e.event ?? null, e.anonymousId, e.userId ?? null])).toEqual([
      ["page", "Home", aid, null],
      ["identify", null, aid, userId],
      ["track", "Signed Up", aid, userId],
    ]);
    // The request's context came along too, under the call's own fields.
    for (const event of journey.events)
      expect(event.context).toMatchObject({ userAgent: `ua-${framework}`, library: { name: "threadline" } });
    expect(journey.events[1]!.traits).toEqual({ email: `${framework}@example.com` });
    expect(journey.events[0]!.context).toMatchObject({ page: { path: "/" } });
  });
});
