// The new adapters take only types from their frameworks (the core never loads them),
// and type what they add: Fastify by declaration merging, Hono through `Variables`.
import type { FastifyRequest } from "fastify";
import type { Context } from "hono";
import { describe, expect, expectTypeOf, test } from "vitest";
import type { RequestAnalytics } from "../../src/fastify.js";
import type { ThreadlineVariables } from "../../src/hono.js";
import { analyticsFor, withThreadline } from "../../src/fetch.js";
import { importedPackages } from "./helpers/import-graph.js";

describe("framework imports", () => {
  test.each(["src/fastify.ts", "src/hono.ts", "src/fetch.ts", "src/index.ts"])(
    "%s loads no framework at run time",
    async (entry) => {
      const packages = await importedPackages(entry);
      expect(packages.filter((name) => /^(express|koa|fastify|hono|@hono\/)/.test(name))).toEqual([]);
    },
  );
});

describe("types", () => {
  test("Fastify's request carries anonymousId and analytics", () => {
    expectTypeOf<FastifyRequest["anonymousId"]>().toEqualTypeOf<string>();
    expectTypeOf<FastifyRequest["analytics"]>().toEqualTypeOf<RequestAnalytics>();
  });

  test("Hono's c.get is typed, through Variables and on any context", () => {
    const typed = (c: Context<{ Variables: ThreadlineVariables }>) =>
      [c.get("anonymousId"), c.get("analytics")] as const;
    const anywhere = (c: Context) => [c.get("anonymousId"), c.get("analytics")] as const;
    expectTypeOf(typed).returns.toEqualTypeOf<readonly [string, RequestAnalytics]>();
    expectTypeOf(anywhere).returns.toEqualTypeOf<readonly [string, RequestAnalytics]>();
  });

  test("withThreadline keeps the handler's extra arguments; analyticsFor returns the request client", () => {
    const wrapped = withThreadline(async (_request: Request, context: { params: Promise<{ id: string }> }) =>
      Response.json(await context.params),
    );
    expectTypeOf(wrapped).parameters.toEqualTypeOf<[Request, { params: Promise<{ id: string }> }]>();
    expectTypeOf(wrapped).returns.toEqualTypeOf<Promise<Response>>();
    expectTypeOf(analyticsFor).returns.toEqualTypeOf<RequestAnalytics>();
  });
});
