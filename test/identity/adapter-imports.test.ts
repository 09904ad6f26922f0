// The adapters take only types from their frameworks, so `threadline` (and even
// `threadline/express` itself) never loads Express or Koa; and the declaration merges
// type `req.anonymousId`, `req.analytics`, `ctx.analytics` and `ctx.state.anonymousId`.
import type { Request } from "express";
import type { Context } from "koa";
import { describe, expect, expectTypeOf, test } from "vitest";
import type { RequestAnalytics } from "../../src/express.js";
import "../../src/koa.js";
import { importedPackages } from "./helpers/import-graph.js";

describe("framework imports", () => {
  test.each(["src/express.ts", "src/koa.ts", "src/identity/index.ts"])(
    "%s loads neither express nor koa at run time",
    async (entry) => {
      const packages = await importedPackages(entry);
      expect(packages).toContain("cookie");
      expect(packages).toContain("tldts");
      expect(packages.filter((name) => /^(express|koa)(\/|$)/.test(name))).toEqual([]);
    },
  );
});

describe("declaration merges", () => {
  test("Express request and Koa context are typed", () => {
    expectTypeOf<Request["anonymousId"]>().toEqualTypeOf<string>();
    expectTypeOf<Request["analytics"]>().toEqualTypeOf<RequestAnalytics>();
    expectTypeOf<Context["analytics"]>().toEqualTypeOf<RequestAnalytics>();
    expectTypeOf<Context["state"]["anonymousId"]>().toEqualTypeOf<string>();
    expectTypeOf<RequestAnalytics["alias"]>().parameter(0).toHaveProperty("previousId");
  });
});
