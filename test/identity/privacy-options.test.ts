import { describe, expect, test } from "vitest";
import { threadline } from "../../src/express.js";
import { resolveIdentityOptions } from "../../src/identity/options.js";

describe("session, consent, gpc and hosts options", () => {
  test("defaults: sessions on (30 min, aid_session), no consent function, gpc anonymous, no hosts", () => {
    const resolved = resolveIdentityOptions({});
    expect(resolved.privacy).toEqual({
      session: { timeoutMs: 1_800_000, cookieName: "aid_session" },
      consent: undefined,
      gpc: "anonymous",
    });
    expect(resolved.hosts).toEqual([]);
    expect(resolveIdentityOptions({ session: false }).privacy.session).toBeUndefined();
    expect(resolveIdentityOptions({ session: { timeoutSeconds: 1, cookieName: "s" } }).privacy.session).toEqual({
      timeoutMs: 1000,
      cookieName: "s",
    });
    expect(resolveIdentityOptions({ hosts: ["WWW.Shop.Example", ".shop.example"] }).hosts).toEqual([
      "www.shop.example",
      ".shop.example",
    ]);
  });

  test.each([
    [{ session: "yes" }, "session must be"],
    [{ session: { timeoutSeconds: 0 } }, "timeoutSeconds"],
    [{ session: { timeoutSeconds: "30" } }, "timeoutSeconds"],
    [{ session: { cookieName: "a b" } }, "session.cookieName"],
    [{ session: { cookieName: "aid" } }, "must differ"],
    [{ session: { timeout: 5 } }, "unknown session option"],
    [{ consent: "full" }, "consent must be a function"],
    [{ gpc: "strict" }, "gpc must be"],
    [{ hosts: "shop.example" }, "hosts must be"],
    [{ hosts: ["bad host"] }, "hosts must be"],
  ])("%j is a config error naming it", (options, text) => {
    expect(() => threadline(options as never)).toThrow(
      expect.objectContaining({ code: "config", message: expect.stringContaining(text) }),
    );
  });
});

describe("a broken consent function", () => {
  test("a throw or an unknown answer counts as none: nothing written, nothing sent, never a 500", async () => {
    const { default: express } = await import("express");
    const { serve } = await import("./helpers/frameworks.js");
    const { send } = await import("./helpers/http.js");
    const { RecordingTracker } = await import("./helpers/recording-tracker.js");
    const tracker = new RecordingTracker();
    const app = express();
    app.use(
      threadline({
        analytics: tracker,
        consent: (req) =>
          req.path === "/throws"
            ? (() => {
                throw new Error("banner not loaded");
              })()
            : ("yes" as never),
      }),
    );
    app.use((req, res) => {
      req.analytics.track({ event: "E" });
      res.json({ consent: req.analytics.consentLevel });
    });
    const running = await serve(app as never);
    try {
      for (const path of ["/throws", "/unknown"]) {
        const reply = await send(`${running.url}${path}`, { headers: { cookie: "aid=someone-1" } });
        expect(reply.status).toBe(200);
        expect(reply.json()).toEqual({ consent: "none" });
        expect(reply.setCookies.map((line) => line.split("=")[0])).toEqual(["aid"]);
        expect(reply.setCookies[0]).toMatch(/Max-Age=0/);
      }
      expect(tracker.calls).toEqual([]);
    } finally {
      await running.close();
    }
  });
});
