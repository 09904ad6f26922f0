// The identity core imports no client implementation: `threadline/express` (and every
// adapter) loads the batcher only if and when a middleware without `analytics` needs the
// default client — never at import time.
import { describe, expect, test } from "vitest";
import { staticallyLoaded } from "./helpers/import-graph.js";

const CLIENT = [
  "src/analytics.ts",
  "src/batcher.ts",
  "src/transport.ts",
  "src/default-client.ts",
  "src/queue.ts",
  "src/delivery.ts",
];

describe("importing an adapter loads no batcher module", () => {
  test.each(["src/express.ts", "src/koa.ts", "src/fastify.ts", "src/hono.ts", "src/fetch.ts", "src/identity/index.ts"])(
    "%s",
    async (entry) => {
      const loaded = await staticallyLoaded(entry);
      expect(loaded).toContain("src/identity/identity-core.ts");
      expect(loaded).toContain("src/scope.ts");
      expect(loaded.filter((file) => CLIENT.includes(file))).toEqual([]);
    },
  );

  test("the check sees the client when it is imported (the core entry)", async () => {
    expect(await staticallyLoaded("src/index.ts")).toEqual(
      expect.arrayContaining(["src/batcher.ts", "src/analytics.ts"]),
    );
  });
});
