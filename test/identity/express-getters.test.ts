// The Express adapter keeps the returning visitor's path free of per-request writes:
// `req.anonymousId` / `req.analytics` are getters on the app's request prototype.
// These pin what that design must still get right.
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import express5 from "express";
import { afterEach, describe, expect, test } from "vitest";
import { threadline } from "../../src/express.js";
import { send } from "./helpers/http.js";
import { RecordingTracker } from "./helpers/recording-tracker.js";

const require = createRequire(import.meta.url);
const express4 = require("express4") as typeof express5;

const servers: Array<{ close(cb: () => void): void }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
});

async function listen(app: ReturnType<typeof express5>): Promise<string> {
  const server = app.listen(0, "127.0.0.1");
  servers.push(server);
  await new Promise((resolve) => server.once("listening", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const RETURNING = "aid=returning-visitor-1";

describe.each([
  ["express5", express5],
  ["express4", express4],
])("%s", (_name, express) => {
  test("regression: a mounted sub-app and a router see req.analytics for a returning visitor", async () => {
    const tracker = new RecordingTracker();
    const app = express();
    app.use(threadline({ analytics: tracker, session: false }));
    const sub = express();
    sub.get("/x", (req, res) => {
      req.analytics.track({ event: "In Sub App" });
      res.json({ id: req.anonymousId });
    });
    const router = express.Router();
    router.get("/y", (req, res) => {
      req.analytics.track({ event: "In Router" });
      res.json({ id: req.anonymousId });
    });
    app.use("/sub", sub);
    app.use("/r", router);
    const url = await listen(app);
    for (const path of ["/sub/x", "/r/y"]) {
      const reply = await send(url + path, { headers: { cookie: RETURNING } });
      expect(reply.json()).toEqual({ id: "returning-visitor-1" });
      expect(reply.setCookies).toEqual([]);
    }
    expect(tracker.calls.map((call) => [call.message.event, call.message.anonymousId])).toEqual([
      ["In Sub App", "returning-visitor-1"],
      ["In Router", "returning-visitor-1"],
    ]);
  });

  test("a returning visitor's request object gets no own property until the app reads one", async () => {
    const app = express();
    app.use(threadline({ analytics: new RecordingTracker() }));
    app.get("/", (req, res) => {
      const ours = [Symbol.for("threadline.express.request"), "analytics", "anonymousId"];
      const before = Reflect.ownKeys(req).filter((key) => ours.includes(key)).length;
      const id = req.anonymousId;
      res.json({ before, id });
    });
    const url = await listen(app);
    expect((await send(url + "/", { headers: { cookie: RETURNING } })).json()).toEqual({
      before: 0,
      id: "returning-visitor-1",
    });
  });

  test("reset() and assignments go through the getters", async () => {
    const app = express();
    app.use(threadline({ analytics: new RecordingTracker(), session: false }));
    app.get("/", (req, res) => {
      const before = req.anonymousId;
      req.analytics.reset();
      const afterReset = req.anonymousId;
      req.anonymousId = "assigned-by-app";
      res.json({
        before,
        changed: afterReset !== before,
        client: req.analytics.anonymousId === afterReset,
        assigned: req.anonymousId,
      });
    });
    const url = await listen(app);
    const reply = await send(url + "/", { headers: { cookie: RETURNING } });
    expect(reply.json()).toEqual({
      before: "returning-visitor-1",
      changed: true,
      client: true,
      assigned: "assigned-by-app",
    });
    expect(reply.setCookies).toHaveLength(1);
  });

  test("two apps with different options each keep their own cookie name", async () => {
    const first = express();
    first.use(threadline({ analytics: new RecordingTracker(), cookieName: "first_id" }));
    first.get("/", (req, res) => res.json({ id: req.anonymousId }));
    const second = express();
    second.use(threadline({ analytics: new RecordingTracker(), cookieName: "second_id" }));
    second.get("/", (req, res) => res.json({ id: req.anonymousId }));
    const [a, b] = await Promise.all([listen(first), listen(second)]);
    expect((await send(a, { headers: { cookie: "first_id=one-1; second_id=two-2" } })).json()).toEqual({ id: "one-1" });
    expect((await send(b, { headers: { cookie: "first_id=one-1; second_id=two-2" } })).json()).toEqual({ id: "two-2" });
  });

  test("a route registered before the middleware sees no analytics for a first visit", async () => {
    const app = express();
    app.get("/early", (req, res) => res.json({ id: req.anonymousId ?? null, has: req.analytics !== undefined }));
    app.use(threadline({ analytics: new RecordingTracker() }));
    app.get("/late", (req, res) => res.json({ id: req.anonymousId }));
    const url = await listen(app);
    await send(url + "/late");
    expect((await send(url + "/early")).json()).toEqual({ id: null, has: false });
  });
});
