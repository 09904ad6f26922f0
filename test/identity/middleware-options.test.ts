// Middleware options are checked like the client's: an unknown or mistyped key throws
// `config` at threadline() and names the valid ones — on every adapter.
import { describe, expect, test } from "vitest";
import { isThreadlineError } from "../../src/errors.js";
import { threadline as expressThreadline } from "../../src/express.js";
import { withThreadline } from "../../src/fetch.js";
import { threadline as honoThreadline } from "../../src/hono.js";
import { threadline as koaThreadline } from "../../src/koa.js";

export const ADAPTERS: Array<[string, (options: never) => unknown]> = [
  ["express", expressThreadline as never],
  ["koa", koaThreadline as never],
  ["hono", honoThreadline as never],
  ["fetch", ((options: never) => withThreadline(() => new Response(), options)) as never],
];
// threadline/fastify reports the same errors through register()/ready(): see web-adapters.test.ts.

function configError(call: () => unknown): Error & { code: string } {
  try {
    call();
  } catch (err) {
    if (isThreadlineError(err)) return err;
    throw err;
  }
  throw new Error("expected a config error, nothing was thrown");
}

describe.each(ADAPTERS)("threadline/%s", (_, threadline) => {
  test.each([
    [{ cookiename: "x" }, /unknown option `cookiename` \(did you mean `cookieName`\?\)/],
    [{ maxAge: 10 }, /unknown option `maxAge` \(did you mean `maxAgeSeconds`\?\)/],
    [{ httponly: true }, /did you mean `httpOnly`/],
    [{ httpOnly: "yes" }, /httpOnly must be true or false, got "yes"/],
    [{ rolling: 1 }, /rolling must be true or false/],
    [{ scope: "off" }, /scope must be true or false/],
  ])("%j throws config", (options, message) => {
    const error = configError(() => threadline(options as never));
    expect(error.code).toBe("config");
    expect(error.message).toMatch(message);
  });

  test("the message names every valid option", () => {
    const error = configError(() => threadline({ nope: 1 } as never));
    for (const name of [
      "analytics",
      "cookieName",
      "maxAgeSeconds",
      "domain",
      "httpOnly",
      "rolling",
      "foreignCookies",
      "mirror",
      "ip",
      "scope",
    ]) {
      expect(error.message).toContain(name);
    }
  });

  test("valid options, and undefined values, are accepted", () => {
    expect(() =>
      threadline({ cookieName: "tl", httpOnly: true, rolling: false, scope: false, domain: undefined } as never),
    ).not.toThrow();
  });
});
