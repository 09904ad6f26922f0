// withContext / captureContext and the fill rules every client applies inside a scope.
import express from "express";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Analytics } from "../../src/analytics.js";
import { isThreadlineError } from "../../src/errors.js";
import { threadline } from "../../src/express.js";
import { captureContext, fillFromScope, withContext } from "../../src/scope.js";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";
import { serve } from "../identity/helpers/frameworks.js";
import { send } from "../identity/helpers/http.js";

let collector: TestCollector;
let analytics: Analytics;
beforeAll(async () => {
  collector = await startTestCollector();
  analytics = new Analytics({ host: collector.url, writeKey: "k", flushAt: 1000 });
});
afterAll(async () => {
  await analytics?.close({ timeoutMs: 2000 });
  await collector?.close();
});
const sent = () => collector.requests.flatMap((r) => r.body.batch);

describe("outside any scope", () => {
  test("calls are exactly as given and captureContext() is undefined", () => {
    const call = { event: "E", userId: "u" };
    expect(fillFromScope("track", call)).toBe(call);
    expect(captureContext()).toBeUndefined();
  });
});

describe("withContext", () => {
  test("fills anonymousId, userId and context; the caller's fields win; the caller's object is untouched", () => {
    const scope = {
      anonymousId: "anon-1",
      userId: "user-1",
      context: { campaign: { source: "news", name: "spring" }, locale: "de-CH" },
    };
    const call = { event: "E", userId: "mine", context: { campaign: { name: "autumn" }, ip: "192.0.2.1" } };
    const filled = withContext(scope, () => fillFromScope("track", call)) as Record<string, unknown>;
    expect(filled).toEqual({
      event: "E",
      userId: "mine",
      anonymousId: "anon-1",
      context: { campaign: { source: "news", name: "autumn" }, locale: "de-CH", ip: "192.0.2.1" },
    });
    expect(call).toEqual({ event: "E", userId: "mine", context: { campaign: { name: "autumn" }, ip: "192.0.2.1" } });
  });

  test("returns what fn returns, promises included", async () => {
    expect(withContext({ anonymousId: "a" }, () => 42)).toBe(42);
    await expect(withContext({ anonymousId: "a" }, async () => "later")).resolves.toBe("later");
  });

  test("nests: the inner scope wins and inherits what it does not give", () => {
    const seen = withContext(
      { anonymousId: "outer-anon", userId: "outer-user", context: { locale: "en", page: { path: "/a" } } },
      () => withContext({ userId: "inner-user", context: { page: { search: "?x" } } }, () => captureContext()),
    );
    expect(seen).toEqual({
      anonymousId: "outer-anon",
      userId: "inner-user",
      context: { locale: "en", page: { path: "/a", search: "?x" } },
    });
  });

  test("identify binds userId for later calls of the scope only", () => {
    const [inside, after] = withContext({ anonymousId: "anon-2" }, () => {
      fillFromScope("identify", { userId: "bound-2" });
      return [fillFromScope("track", { event: "E" }), captureContext()];
    });
    expect(inside).toEqual({ event: "E", anonymousId: "anon-2", userId: "bound-2" });
    expect(after).toEqual({ anonymousId: "anon-2", userId: "bound-2" });
    expect(withContext({ anonymousId: "anon-2" }, () => fillFromScope("track", { event: "E" }))).toEqual({
      event: "E",
      anonymousId: "anon-2",
    });
  });

  test("alias({ userId }) fills previousId with the anonymous id and binds userId", () => {
    const [alias, later] = withContext({ anonymousId: "anon-3" }, () => [
      fillFromScope("alias", { userId: "new-3" }),
      fillFromScope("page", { name: "P" }),
    ]);
    expect(alias).toEqual({ userId: "new-3", previousId: "anon-3" });
    expect(later).toEqual({ name: "P", anonymousId: "anon-3", userId: "new-3" });
  });

  test("captureContext() survives JSON into another scope unchanged", () => {
    const captured = withContext(
      { anonymousId: "anon-4", context: { campaign: { name: "c" }, page: { path: "/p", search: "" } } },
      () => captureContext(),
    );
    const revived = withContext(JSON.parse(JSON.stringify(captured)), () => captureContext());
    expect(revived).toEqual(captured);
  });

  test.each([
    ["a string scope", () => withContext("anon" as never, () => 1)],
    ["a non-function", () => withContext({}, 1 as never)],
    ["an object id", () => withContext({ anonymousId: {} as never }, () => 1)],
    ["an array context", () => withContext({ context: [] as never }, () => 1)],
  ])("throws config for %s", (_, call) => {
    let caught: unknown;
    try {
      call();
    } catch (err) {
      caught = err;
    }
    expect(isThreadlineError(caught) && caught.code).toBe("config");
  });

  test("an Analytics instance's calls are filled too, and leave the process filled", async () => {
    await withContext({ anonymousId: "anon-5", context: { locale: "fr" } }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      analytics.track({ event: "Instance Call" });
    });
    analytics.track({ event: "Outside", anonymousId: "explicit" });
    await analytics.flush();
    const [inside, outside] = ["Instance Call", "Outside"].map((name) => sent().find((m) => m.event === name)!);
    expect(inside).toMatchObject({ anonymousId: "anon-5", context: { locale: "fr", library: { name: "threadline" } } });
    expect(outside!.context).toEqual({ library: (inside!.context as { library: unknown }).library });
  });
});

describe("one state with req.analytics", () => {
  test("an identify through either binds the user for both", async () => {
    const app = express();
    app.use(threadline({ analytics }));
    app.get("/a", (req, res) => {
      req.analytics.identify({ userId: "via-req" });
      analytics.track({ event: "Client After Req Identify" });
      res.json({});
    });
    app.get("/b", (req, res) => {
      analytics.identify({ userId: "via-client" });
      res.json({ userId: req.analytics.userId });
    });
    const running = await serve(app as never);
    try {
      await send(`${running.url}/a`, { headers: { cookie: "aid=one-state" } });
      const b = await send(`${running.url}/b`, { headers: { cookie: "aid=one-state" } });
      expect(b.json()).toEqual({ userId: "via-client" });
      await analytics.flush();
      expect(sent().find((m) => m.event === "Client After Req Identify")).toMatchObject({
        anonymousId: "one-state",
        userId: "via-req",
      });
    } finally {
      await running.close();
    }
  });

  test("scope: false opens no scope: only req.analytics fills calls in", async () => {
    const app = express();
    app.use(threadline({ analytics, scope: false }));
    app.get("/", (req, res) => {
      analytics.track({ event: "Unscoped Client Call", userId: "u-unscoped" });
      req.analytics.track({ event: "Unscoped Request Call" });
      res.json({ captured: captureContext() ?? null });
    });
    const running = await serve(app as never);
    try {
      const reply = await send(`${running.url}/`, { headers: { cookie: "aid=unscoped-visitor" } });
      expect(reply.json()).toEqual({ captured: null });
      await analytics.flush();
      const client = sent().find((m) => m.event === "Unscoped Client Call")!;
      expect(client.anonymousId).toBeUndefined();
      expect(Object.keys(client.context as object)).toEqual(["library"]);
      expect(sent().find((m) => m.event === "Unscoped Request Call")).toMatchObject({
        anonymousId: "unscoped-visitor",
      });
    } finally {
      await running.close();
    }
  });
});
