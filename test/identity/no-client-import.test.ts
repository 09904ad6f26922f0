// The identity core imports no client implementation: `threadline/express` (and every
// adapter) loads the batcher only if and when a middleware without `analytics` needs the
// default client — never at import time.
import { build } from "esbuild";
import { describe, expect, test } from "vitest";

/** Every source file reachable from `entry` by static imports (what loading it loads). */
async function staticallyLoaded(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    packages: "external",
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const inputs = result.metafile.inputs;
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    for (const edge of inputs[file]?.imports ?? []) {
      if (edge.external || edge.kind === "dynamic-import" || seen.has(edge.path)) continue;
      seen.add(edge.path);
      queue.push(edge.path);
    }
  }
  return [...seen].sort();
}

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
