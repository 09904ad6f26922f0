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

describe("Express: how the Set-Cookie keeper is attached (one prototype hook, no per-response state)", () => {
  let url: string;
  let close: () => Promise<void>;
  const ownKeys = (target: object): string[] => Reflect.ownKeys(target).map(String).sort();
  /** The own keys Express itself gives req and res on this route, without the middleware. */
  let bareKeys: { req: string[]; res: string[] };
  let bareClose: () => Promise<void>;
  let bareUrl: string;
  beforeAll(async () => {
    const bare = express5();
    bare.get("/keys", (req, res) => {
      res.json({ req: ownKeys(req), res: ownKeys(res) });
    });
    ({ url: bareUrl, close: bareClose } = await serve(bare as unknown as RequestListener));
    bareKeys = (await send(`${bareUrl}/keys`)).json();

    const app = express5();
    app.use(expressThreadline({ analytics: new RecordingTracker() }));
    app.get("/keys", (req, res) => {
      res.json({ req: ownKeys(req), res: ownKeys(res) });
    });
    // A middleware after ours that wraps writeHead per response (as on-headers does) and
    // replaces Set-Cookie in its hook: our lines must come back after its hook ran.
    app.get(
      "/late-hook",
      (_req, res, next) => {
        const previous = res.writeHead;
        res.writeHead = function lateHook(this: typeof res, ...args: unknown[]) {
          this.setHeader("Set-Cookie", "late=1; Path=/");
          return (previous as (...a: unknown[]) => typeof res).apply(this, args);
        } as typeof res.writeHead;
        next();
      },
      (_req, res) => {
        res.send("ok");
      },
    );
    const sub = express5();
    sub.get("/overwrite", (_req, res) => {
      res.setHeader("Set-Cookie", "sub=1; Path=/");
      res.send("ok");
    });
    app.use("/sub", sub);
    ({ url, close } = await serve(app as unknown as RequestListener));
  });
  afterAll(async () => {
    await close();
    await bareClose();
  });

  test("regression: a first visit adds no own property to Express's req or res (each costs ~4 µs on Node 20/22)", async () => {
    const reply = await send(`${url}/keys`);
    expect(cookieLine(reply, "aid")).toBeDefined();
    expect(cookieLine(reply, "aid_session")).toBeDefined();
    expect(reply.json()).toEqual(bareKeys);
  });

  test("a writeHead hook added after ours that replaces Set-Cookie: ours come back after it", async () => {
    const reply = await send(`${url}/late-hook`);
    expect(reply.setCookies.map((line) => line.split("=")[0])).toEqual(["late", "aid", "aid_session"]);
  });

  test("a mounted sub-app that overwrites Set-Cookie: the parent's prototype hook still applies", async () => {
    const reply = await send(`${url}/sub/overwrite`);
    expect(reply.setCookies.map((line) => line.split("=")[0])).toEqual(["sub", "aid", "aid_session"]);
  });

  test("a returning visitor's overwrite is left exactly as the app set it", async () => {
    const first = await send(`${url}/keys`);
    const cookie = first.setCookies.map((line) => line.split(";")[0]).join("; ");
    const again = await send(`${url}/sub/overwrite`, { headers: { cookie } });
    expect(again.setCookies).toEqual(["sub=1; Path=/"]);
  });

  test("Node's own ServerResponse.prototype is never hooked", async () => {
    const { ServerResponse } = await import("node:http");
    await send(`${url}/keys`);
    expect(ServerResponse.prototype.writeHead.name).toBe("writeHead");
  });
});

describe("Express with scope: false: the lines are kept without a request scope", () => {
  test("an overwrite after the middleware, then reset(): the new id's cookie survives, not the first one", async () => {
    const app = express5();
    app.use(expressThreadline({ analytics: new RecordingTracker(), scope: false }));
    app.get("/overwrite", (_req, res) => {
      res.setHeader("Set-Cookie", "app=1; Path=/");
      res.send("ok");
    });
    app.get("/reset-then-overwrite", (req, res) => {
      req.analytics.reset();
      res.setHeader("Set-Cookie", "app=1; Path=/");
      res.json({ id: req.anonymousId });
    });
    const { url, close } = await serve(app as unknown as RequestListener);
    try {
      const reply = await send(`${url}/overwrite`);
      expect(reply.setCookies.map((line) => line.split("=")[0])).toEqual(["app", "aid", "aid_session"]);
      const reset = await send(`${url}/reset-then-overwrite`);
      const { id } = reset.json<{ id: string }>();
      expect(reset.setCookies.filter((line) => line.startsWith("aid="))).toEqual([
        expect.stringMatching(`^aid=${id};`),
      ]);
    } finally {
      await close();
    }
  });
});
