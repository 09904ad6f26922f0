// Where an Express request's state and Set-Cookie lines live without a request scope
// (`scope: false`): on `res.locals`, not in WeakMaps (whose GC cost a first visit on an
// awaiting route +89 % CPU on Node 24) and not on the re-prototyped req/res (~4 µs per
// property on Node 20/22). The app must not be able to tell, but for a symbol in its locals.
import type { RequestListener } from "node:http";
import { inspect } from "node:util";
import { createRequire } from "node:module";
import express5 from "express";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { threadline } from "../../src/express.js";
import { RequestSlot } from "../../src/identity/request-slot.js";
import { serve, type RunningApp } from "./helpers/frameworks.js";
import { cookieLine, cookieValue, send } from "./helpers/http.js";
import { RecordingTracker } from "./helpers/recording-tracker.js";

const require = createRequire(import.meta.url);
const express4 = require("express4") as typeof express5;

describe("RequestSlot", () => {
  const key = Symbol("test slot");
  test("keeps the value on res.locals, where a spread or Object.assign rebuild carries it", () => {
    const slot = new RequestSlot<string>(key);
    const res: { locals: object } = { locals: Object.create(null) as object };
    const owner = {};
    slot.set(res, owner, "state");
    expect(slot.get(res, owner)).toBe("state");
    res.locals = { ...res.locals, user: "ada" };
    expect(slot.get(res, owner)).toBe("state");
    res.locals = Object.assign({}, res.locals);
    expect(slot.get(res, owner)).toBe("state");
    expect(Object.keys(res.locals)).toEqual(["user"]);
    expect(JSON.stringify(res.locals)).toBe('{"user":"ada"}');
  });

  test.each([
    ["no response", undefined],
    ["no locals", {}],
    ["locals that is not an object", { locals: "x" }],
    ["frozen locals", { locals: Object.freeze({}) }],
    ["sealed locals", { locals: Object.seal({}) }],
  ])("falls back to its WeakMap with %s", (_, res) => {
    const fallback = new WeakMap<object, string>();
    const slot = new RequestSlot<string>(key, fallback);
    const owner = {};
    expect(slot.get(res, owner)).toBeUndefined();
    slot.set(res, owner, "state");
    expect(slot.get(res, owner)).toBe("state");
    expect(fallback.get(owner)).toBe("state");
  });

  test("requests never see each other's values", () => {
    const slot = new RequestSlot<number>(key);
    const a = { locals: {} };
    const b = { locals: {} };
    slot.set(a, a, 1);
    slot.set(b, b, 2);
    expect([slot.get(a, a), slot.get(b, b), slot.get({ locals: {} }, {})]).toEqual([1, 2, undefined]);
  });
});

describe.each([
  ["express5", express5],
  ["express4", express4],
])("%s, scope: false: a first visit's state on res.locals", (_, factory) => {
  let app: RunningApp;
  beforeAll(async () => {
    const server = factory();
    server.use(threadline({ analytics: new RecordingTracker(), scope: false }));
    server.get("/rebuild", (req, res) => {
      // An app that rebuilds its locals by spreading, then overwrites Set-Cookie, and reads the id later.
      res.locals = { ...res.locals, user: "ada" };
      res.setHeader("Set-Cookie", "app=1; Path=/");
      setImmediate(() => res.json({ anonymousId: req.anonymousId, viaClient: req.analytics.anonymousId }));
    });
    server.get("/locals", (_req, res) => {
      res.json({
        keys: Object.keys(res.locals),
        json: JSON.stringify(res.locals),
        inspected: inspect(res.locals, { depth: 4 }),
      });
    });
    app = await serve(server as unknown as RequestListener);
  });
  afterAll(() => app?.close());

  test("survives a spread rebuild of res.locals: the id is readable later and aid is merged back", async () => {
    const reply = await send(`${app.url}/rebuild`);
    const body = reply.json<{ anonymousId: string; viaClient: string }>();
    expect(body.anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(body.viaClient).toBe(body.anonymousId);
    expect(reply.setCookies.map((line) => line.split("=")[0])).toEqual(["app", "aid", "aid_session"]);
    expect(cookieValue(cookieLine(reply, "aid"))).toBe(body.anonymousId);
  });

  test("the app sees no new key, JSON or inspected text of the state in its locals", async () => {
    const body = (await send(`${app.url}/locals`)).json<{ keys: string[]; json: string; inspected: string }>();
    expect(body.keys).toEqual([]);
    expect(body.json).toBe("{}");
    expect(body.inspected).not.toContain("core");
    expect(body.inspected).toContain("[threadline request ");
  });
});

test("scope: false with frozen res.locals (set before the middleware): the WeakMap fallback keeps the id and aid", async () => {
  const server = express5();
  server.use((_req, res, next) => {
    res.locals = Object.freeze({});
    next();
  });
  server.use(threadline({ analytics: new RecordingTracker(), scope: false }));
  server.get("/", (req, res) => {
    res.setHeader("Set-Cookie", "app=1; Path=/");
    res.json({ anonymousId: req.anonymousId });
  });
  const app = await serve(server as unknown as RequestListener);
  try {
    const reply = await send(`${app.url}/`);
    const { anonymousId } = reply.json<{ anonymousId: string }>();
    expect(anonymousId).toMatch(/^[0-9a-f-]{36}$/);
    expect(reply.setCookies.map((line) => line.split("=")[0])).toEqual(["app", "aid", "aid_session"]);
    expect(cookieValue(cookieLine(reply, "aid"))).toBe(anonymousId);
  } finally {
    await app.close();
  }
});
