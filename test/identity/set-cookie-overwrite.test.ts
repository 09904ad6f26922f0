// Set-Cookie hardening: an app that overwrites Set-Cookie after the middleware (Express
// res.setHeader, Koa ctx.set, or writeHead with its own headers) must not wipe the
// visitor's id — before this, every new visitor of such an app got no aid.
import type { RequestListener } from "node:http";
import express5 from "express";
import Koa3 from "koa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { threadline as expressThreadline } from "../../src/express.js";
import { threadline as koaThreadline } from "../../src/koa.js";
import { ALL_ADAPTERS, startAdapter } from "./helpers/all-adapters.js";
import { serve, type RunningApp } from "./helpers/frameworks.js";
import { cookieLine, cookieValue, send } from "./helpers/http.js";
import { RecordingTracker } from "./helpers/recording-tracker.js";

const EXPRESS_KOA = ALL_ADAPTERS.filter((name) => name.startsWith("express") || name.startsWith("koa"));

describe.each(EXPRESS_KOA)("%s: the app overwrites Set-Cookie after the middleware", (adapter) => {
  let app: RunningApp;
  const tracker = new RecordingTracker();
  beforeAll(async () => {
    app = await startAdapter(adapter, { analytics: tracker }, tracker);
  });
  afterAll(() => app?.close());

  test("regression: aid (and the session cookie) still set on a first visit, the app's cookie too", async () => {
    const reply = await send(`${app.url}/overwrite`);
    const id = reply.json<{ anonymousId: string }>().anonymousId;
    expect(cookieValue(cookieLine(reply, "aid"))).toBe(id);
    expect(cookieLine(reply, "aid_session")).toBeDefined();
    expect(cookieLine(reply, "app")).toBe("app=1; Path=/");
    expect(reply.setCookies).toHaveLength(3);
  });

  test("a returning visitor: the app's cookie alone, nothing of ours added", async () => {
    const first = await send(`${app.url}/visit`);
    const cookie = first.setCookies.map((line) => line.split(";")[0]).join("; ");
    const again = await send(`${app.url}/overwrite`, { headers: { cookie } });
    expect(again.setCookies).toEqual(["app=1; Path=/"]);
  });
});

describe("Express: other ways an app replaces Set-Cookie", () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const app = express5();
    app.use(expressThreadline({ analytics: new RecordingTracker(), session: false }));
    app.get("/write-head", (_req, res) => {
      res.writeHead(200, { "Set-Cookie": "app=1; Path=/", "content-type": "text/plain" });
      res.end("ok");
    });
    app.get("/write-head-message", (_req, res) => {
      res.writeHead(200, "Fine", { "set-cookie": ["a=1", "b=2"] });
      res.end("ok");
    });
    app.get("/remove", (_req, res) => {
      res.removeHeader("Set-Cookie");
      res.send("ok");
    });
    app.get("/reset-then-overwrite", (req, res) => {
      req.analytics.reset();
      res.setHeader("Set-Cookie", "app=1");
      res.json({ id: req.anonymousId });
    });
    ({ url, close } = await serve(app as unknown as RequestListener));
  });
  afterAll(() => close());

  test("writeHead(status, headers) with the app's own Set-Cookie keeps ours after the app's", async () => {
    const reply = await send(`${url}/write-head`);
    expect(reply.setCookies.map((line) => line.split("=")[0])).toEqual(["app", "aid"]);
    const named = await send(`${url}/write-head-message`);
    expect(named.setCookies.map((line) => line.split("=")[0])).toEqual(["a", "b", "aid"]);
  });

  test("removeHeader('Set-Cookie') does not take the id away", async () => {
    const reply = await send(`${url}/remove`);
    expect(cookieLine(reply, "aid")).toBeDefined();
  });

  test("after reset() only the new id's cookie comes back, not the first one", async () => {
    const reply = await send(`${url}/reset-then-overwrite`);
    const { id } = reply.json<{ id: string }>();
    expect(reply.setCookies.filter((line) => line.startsWith("aid="))).toEqual([expect.stringMatching(`^aid=${id};`)]);
    expect(cookieLine(reply, "app")).toBe("app=1");
  });
});

describe("Koa: ctx.set('Set-Cookie') in middleware that runs after the response body is set", () => {
  test("aid survives an upstream middleware that overwrites on the way out", async () => {
    const app = new Koa3();
    app.use(async (ctx, next) => {
      await next();
      ctx.set("Set-Cookie", ["outer=1; Path=/"]);
    });
    app.use(koaThreadline({ analytics: new RecordingTracker(), session: false }));
    app.use((ctx) => {
      ctx.body = { id: ctx.state.anonymousId };
    });
    const { url, close } = await serve(app.callback() as RequestListener);
    try {
      const reply = await send(`${url}/`);
      expect(reply.setCookies.map((line) => line.split("=")[0])).toEqual(["outer", "aid"]);
      expect(cookieValue(cookieLine(reply, "aid"))).toBe(reply.json<{ id: string }>().id);
    } finally {
      await close();
    }
  });
});
