// threadline/fastify (5 and 4), threadline/hono and threadline/fetch on real servers:
// the same cookie rules as Express and Koa, each framework's own way of exposing them.
import type { RequestListener } from "node:http";
import { createRequire } from "node:module";
import { getRequestListener } from "@hono/node-server";
import fastify5, { type FastifyInstance } from "fastify";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { toNodeListener } from "../../examples/fetch/node-bridge.mjs";
import { isThreadlineError } from "../../src/errors.js";
import fastifyPlugin, { threadline as fastifyNamed } from "../../src/fastify.js";
import { analyticsFor, withThreadline } from "../../src/fetch.js";
import { threadline as honoThreadline } from "../../src/hono.js";
import type { IdentityOptions } from "../../src/identity/options.js";
import type { RequestAnalytics } from "../../src/identity/request-client.js";
import { serve, type RunningApp } from "./helpers/frameworks.js";
import { cookieAttributes, cookieLine, cookieValue, send } from "./helpers/http.js";
import { RecordingTracker } from "./helpers/recording-tracker.js";

const require = createRequire(import.meta.url);
const fastify4 = require("fastify4") as typeof fastify5;
const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** What each test route does, written once for all three adapters. */
function routeBody(path: string, analytics: RequestAnalytics): Record<string, unknown> {
  if (path === "/reset") {
    const before = analytics.anonymousId;
    analytics.identify({ userId: "u1" });
    analytics.reset();
    analytics.track({ event: "After Reset" });
    return { before, after: analytics.anonymousId };
  }
  if (path === "/page") analytics.page({ name: "Landing" });
  return {};
}

async function fastifyApp(factory: typeof fastify5, identity: IdentityOptions, twice = false): Promise<RunningApp> {
  const app: FastifyInstance = factory();
  await app.register(fastifyPlugin, identity);
  if (twice) await app.register(fastifyNamed, identity);
  app.get("/*", async (request, reply) => {
    const path = request.url.split("?")[0]!;
    if (path === "/app-cookie") reply.header("set-cookie", "app=1; Path=/");
    const body = routeBody(path, request.analytics);
    return { ...body, anonymousId: request.anonymousId };
  });
  // A route in a child plugin: the hooks of a non-encapsulated plugin reach it too.
  await app.register(async (child) => {
    child.get("/child/id", async (request) => ({ anonymousId: request.anonymousId }));
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as import("node:net").AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

function honoApp(identity: IdentityOptions, twice = false): RequestListener {
  const app = new Hono();
  app.use(honoThreadline(identity));
  if (twice) app.use(honoThreadline(identity));
  app.get("/redirect", (c) => c.redirect("/elsewhere", 302));
  app.get("/*", (c) => {
    if (c.req.path === "/app-cookie") c.header("Set-Cookie", "app=1; Path=/", { append: true });
    const body = routeBody(c.req.path, c.get("analytics"));
    return c.json({ ...body, anonymousId: c.get("anonymousId") });
  });
  return getRequestListener(app.fetch) as unknown as RequestListener;
}

function fetchApp(identity: IdentityOptions): RequestListener {
  const handler = withThreadline(
    async (request: Request, _info?: { ip?: string }) => {
      const path = new URL(request.url).pathname;
      if (path === "/redirect") return Response.redirect("http://127.0.0.1/elsewhere", 302);
      const analytics = analyticsFor(request);
      const body = routeBody(path, analytics);
      const headers = new Headers({ "content-type": "application/json" });
      if (path === "/app-cookie") headers.append("set-cookie", "app=1; Path=/");
      return new Response(JSON.stringify({ ...body, anonymousId: analytics.anonymousId }), { headers });
    },
    { ...identity, clientIp: (_request, info) => info?.ip },
  );
  return toNodeListener(handler as never);
}

const ADAPTERS = ["fastify5", "fastify4", "hono", "fetch"] as const;

function start(adapter: (typeof ADAPTERS)[number], options: IdentityOptions, twice = false): Promise<RunningApp> {
  // These pin the `aid` cookie alone; sessions (on by default) are pinned in sessions-adapters.test.ts.
  const identity: IdentityOptions = { session: false, ...options };
  switch (adapter) {
    case "fastify5":
      return fastifyApp(fastify5, identity, twice);
    case "fastify4":
      return fastifyApp(fastify4, identity, twice);
    case "hono":
      return serve(honoApp(identity, twice));
    case "fetch":
      return serve(fetchApp(identity));
  }
}

describe.each(ADAPTERS)("%s", (adapter) => {
  const tracker = new RecordingTracker();
  let plain: RunningApp, twice: RunningApp, tuned: RunningApp;
  beforeAll(async () => {
    [plain, twice, tuned] = await Promise.all([
      start(adapter, { analytics: tracker }),
      start(adapter, { analytics: tracker }, true),
      start(adapter, { analytics: tracker, cookieName: "tl_aid", httpOnly: true, rolling: true, maxAgeSeconds: 3600 }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain, twice, tuned].map((app) => app?.close()));
  });

  test("a first visit gets a new aid cookie with the right attributes; a returning one gets none", async () => {
    const first = await send(`${plain.url}/id`);
    const line = cookieLine(first, "aid");
    expect(cookieValue(line)).toMatch(UUID_V4);
    expect(first.json<{ anonymousId: string }>().anonymousId).toBe(cookieValue(line));
    expect(cookieAttributes(line!)).toEqual({ "max-age": "31536000", path: "/", samesite: "Lax" });
    const again = await send(`${plain.url}/id`, { headers: { cookie: `x=1; aid=${cookieValue(line)}` } });
    expect(again.json<{ anonymousId: string }>().anonymousId).toBe(cookieValue(line));
    expect(again.setCookies).toEqual([]);
  });

  test("an app's own Set-Cookie is kept next to ours", async () => {
    const reply = await send(`${plain.url}/app-cookie`);
    // Fastify's plugin writes in onRequest, before the route; the Web adapters after it.
    expect(reply.setCookies.map((l) => l.split("=")[0]).sort()).toEqual(["aid", "app"]);
  });

  test("registered twice, a request still gets one id and one cookie", async () => {
    if (adapter === "fetch") return void expect(adapter).toBe("fetch"); // a wrapper is not mounted twice
    const reply = await send(`${twice.url}/id`);
    expect(reply.setCookies).toHaveLength(1);
    expect(reply.json<{ anonymousId: string }>().anonymousId).toBe(cookieValue(cookieLine(reply, "aid")));
  });

  test("options reach the cookie: name, HttpOnly, rolling, Max-Age", async () => {
    const reply = await send(`${tuned.url}/id`, { headers: { cookie: "tl_aid=rolling-visitor" } });
    expect(reply.setCookies).toEqual(["tl_aid=rolling-visitor; Max-Age=3600; Path=/; HttpOnly; SameSite=Lax"]);
  });

  test("the request client fills anonymousId and context; reset() leaves only the new cookie", async () => {
    tracker.calls.length = 0;
    await send(`${plain.url}/page?utm_source=news`, {
      headers: { cookie: "aid=ctx-visitor", "user-agent": "UA/2", referer: "https://ref.example/" },
    });
    expect(tracker.calls[0]!.message).toMatchObject({
      anonymousId: "ctx-visitor",
      name: "Landing",
      context: {
        userAgent: "UA/2",
        campaign: { source: "news" },
        page: { path: "/page", search: "?utm_source=news", referrer: "https://ref.example/" },
      },
    });
    expect(String((tracker.calls[0]!.message.context as { page: { url: string } }).page.url)).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/page\?utm_source=news$/,
    );
    expect((tracker.calls[0]!.message.context as { ip?: string }).ip).toBe("127.0.0.1");

    const reset = await send(`${plain.url}/reset`, { headers: { cookie: "aid=old-visitor" } });
    const { before, after, anonymousId } = reset.json<{ before: string; after: string; anonymousId: string }>();
    expect(before).toBe("old-visitor");
    expect(after).toMatch(UUID_V4);
    expect(reset.setCookies.map(cookieValue)).toEqual([after]);
    if (adapter !== "fetch") expect(anonymousId).toBe(after);
  });

  if (adapter === "fastify5" || adapter === "fastify4") {
    test("a route in a child plugin sees the id (the plugin is not encapsulated)", async () => {
      const reply = await send(`${plain.url}/child/id`, { headers: { cookie: "aid=child-visitor" } });
      expect(reply.json()).toEqual({ anonymousId: "child-visitor" });
    });
  } else {
    test("a response with immutable headers (a redirect) is copied and gets the cookie", async () => {
      const reply = await send(`${plain.url}/redirect`);
      expect(reply.status).toBe(302);
      expect(reply.headers.location).toMatch(/\/elsewhere$/);
      expect(cookieValue(cookieLine(reply, "aid"))).toMatch(UUID_V4);
    });
  }
});

describe("option errors", () => {
  const isConfig = (err: unknown) =>
    isThreadlineError(err) && err.code === "config" && /valid options are/.test(err.message);

  test.each([
    ["fastify5", fastify5],
    ["fastify4", fastify4],
  ] as const)("%s: register() rejects with config", async (_, factory) => {
    const app = factory();
    let caught: unknown;
    try {
      await app.register(fastifyPlugin, { cookiename: "x" } as never);
      await app.ready();
    } catch (err) {
      caught = err;
    } finally {
      await app.close().catch(() => undefined);
    }
    expect(isConfig(caught)).toBe(true);
  });

  test.each([
    ["hono", () => honoThreadline({ maxAge: 1 } as never)],
    ["fetch", () => withThreadline(() => new Response(), { httponly: true } as never)],
  ])("%s: threadline() throws config", (_, call) => {
    let caught: unknown;
    try {
      call();
    } catch (err) {
      caught = err;
    }
    expect(isConfig(caught)).toBe(true);
  });

  test('fetch: httpOnly: "yes" throws config; analyticsFor() outside withThreadline throws config', () => {
    expect(() => withThreadline(() => new Response(), { httpOnly: "yes" } as never)).toThrow(
      /httpOnly must be true or false/,
    );
    expect(() => withThreadline(() => new Response(), { clientip: () => "x" } as never)).toThrow(
      /did you mean `clientIp`\?\).*clientIp/,
    );
    expect(() => analyticsFor(new Request("http://127.0.0.1/"))).toThrow(/did not come through withThreadline/);
  });
});
