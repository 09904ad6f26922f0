// The Fastify, Hono and fetch examples, run as a developer would try them: a first
// visit, a page, a signup, then the local collector's /dev/users/:id.
import type { RequestListener } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createFastifyApp } from "../../examples/fastify/app.mjs";
import { createHandler } from "../../examples/fetch/handler.mjs";
import { toNodeListener } from "../../examples/fetch/node-bridge.mjs";
import { createHonoApp } from "../../examples/hono/app.mjs";
import { serve, type RunningApp } from "../identity/helpers/frameworks.js";
import { cookieLine, cookieValue, send } from "../identity/helpers/http.js";
import { startDevCollector, type DevCollector } from "../scope/helpers/dev-collector.js";

let collector: DevCollector;
beforeAll(async () => {
  collector = await startDevCollector();
});
afterAll(() => collector?.close());

const EXAMPLES: Array<[string, () => Promise<RunningApp>]> = [
  [
    "examples/fastify",
    async () => {
      const app = await createFastifyApp();
      await app.listen({ port: 0, host: "127.0.0.1" });
      const { port } = app.server.address() as import("node:net").AddressInfo;
      return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
    },
  ],
  ["examples/hono", () => serve(getRequestListener(createHonoApp().fetch) as unknown as RequestListener)],
  ["examples/fetch", () => serve(toNodeListener(createHandler()))],
];

describe.each(EXAMPLES)("%s", (name, start) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await start();
  });
  afterAll(() => app?.close());

  test("pages before signup and the signup's module-level identify + track share the browser's id", async () => {
    const first = await send(`${app.url}/?utm_source=${encodeURIComponent(name)}`);
    const aid = cookieValue(cookieLine(first, "aid"))!;
    expect(aid).toMatch(/^[0-9a-f-]{36}$/);
    // As the browser does: both of the middleware's cookies come back.
    const cookie = `aid=${aid}; aid_session=${cookieValue(cookieLine(first, "aid_session"))!}`;
    expect((await send(`${app.url}/pricing`, { headers: { cookie } })).setCookies).toEqual([]);
    const email = `${name.split("/")[1]}-${Date.now()}@example.com`;
    const signup = await send(`${app.url}/signup`, {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: `email=${encodeURIComponent(email)}`,
    });
    expect(signup.status).toBe(200);
    const { userId, anonymousId } = signup.json<{ userId: string; anonymousId: string }>();
    expect(anonymousId).toBe(aid);

    const journey = await collector.journey(userId);
    expect(journey.anonymousIds).toEqual([aid]);
    expect(journey.events.map((e) => [e.type, e.name ?? e.event ?? null, e.userId ?? null])).toEqual([
      ["page", "Home", null],
      ["page", "Pricing", null],
      ["identify", null, userId],
      ["track", "Signed Up", userId],
    ]);
    expect(journey.firstTouch).toMatchObject({ source: name });
  });

  test("a signup without an email is refused and tracks nothing", async () => {
    const reply = await send(`${app.url}/signup`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "email=",
    });
    expect(reply.status).toBe(400);
  });
});
