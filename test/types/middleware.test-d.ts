// Type tests of the framework middleware (`threadline/express`, `threadline/koa`).
import type { Request, RequestHandler } from "express";
import type { Context, Middleware } from "koa";
import { describe, expectTypeOf, test } from "vitest";
import type { Callback, TrackMessage } from "../../src/index.js";
import {
  IDENTITY_DEFAULTS,
  threadline as expressThreadline,
  type IdentityOptions,
  type RequestAnalytics,
} from "../../src/express.js";
import { threadline as koaThreadline } from "../../src/koa.js";

describe("express", () => {
  test("threadline() takes optional identity options and returns a RequestHandler", () => {
    expectTypeOf(expressThreadline).parameter(0).toEqualTypeOf<IdentityOptions<Request> | undefined>();
    expectTypeOf(expressThreadline).returns.toEqualTypeOf<RequestHandler>();
    expectTypeOf(IDENTITY_DEFAULTS.cookieName).toBeString();
  });

  test("the request carries anonymousId and the bound calls", () => {
    expectTypeOf<Request["anonymousId"]>().toEqualTypeOf<string>();
    expectTypeOf<Request["analytics"]>().toEqualTypeOf<RequestAnalytics>();
  });

  test("consent gets Express's own request; session is on the request client", () => {
    expressThreadline({
      consent: (req) => (req.get("x-consent") === "no" ? "none" : "full"),
      gpc: "none",
      session: { timeoutSeconds: 60 },
    });
    // @ts-expect-error: consent answers one of the three levels
    expressThreadline({ consent: () => "maybe" });
    expectTypeOf<RequestAnalytics["session"]>().toEqualTypeOf<
      { sessionId: string; sessionIndex: number; previousSessionId: string | null; startedAt: string } | undefined
    >();
  });

  test("unknown identity options are rejected", () => {
    // @ts-expect-error: a misspelt option is an error
    expressThreadline({ cookiename: "aid" });
  });
});

describe("koa", () => {
  test("threadline() returns a Koa middleware", () => {
    expectTypeOf(koaThreadline).parameter(0).toEqualTypeOf<IdentityOptions<Context> | undefined>();
    expectTypeOf(koaThreadline).returns.toEqualTypeOf<Middleware>();
  });

  test("the context carries analytics and state.anonymousId", () => {
    expectTypeOf<Context["analytics"]>().toEqualTypeOf<RequestAnalytics>();
    expectTypeOf<Context["state"]["anonymousId"]>().toEqualTypeOf<string>();
  });
});

describe("RequestAnalytics", () => {
  test("the request's calls mirror the client's, with page and screen optional", () => {
    expectTypeOf<RequestAnalytics["track"]>().parameters.toEqualTypeOf<[TrackMessage, Callback?]>();
    expectTypeOf<RequestAnalytics["page"]>().parameter(0).toExtend<object | undefined>();
    expectTypeOf<RequestAnalytics["anonymousId"]>().toEqualTypeOf<string>();
    expectTypeOf<RequestAnalytics["userId"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<RequestAnalytics["reset"]>().returns.toBeVoid();
  });

  test("alias from a request may leave previousId to the request", () => {
    expectTypeOf<RequestAnalytics["alias"]>().parameter(0).toHaveProperty("previousId");
    const analytics = {} as RequestAnalytics;
    analytics.alias({ userId: "u1" });
    analytics.page();
  });
});
