import { existsSync } from "node:fs";
import { defineConfig } from "tsup";

// Each public entry point; an adapter's file is listed only once it exists so a
// partial checkout still builds.
const entries = {
  index: "src/index.ts",
  express: "src/express.ts",
  koa: "src/koa.ts",
  fastify: "src/fastify.ts",
  hono: "src/hono.ts",
  fetch: "src/fetch.ts",
  dev: "src/dev/index.ts",
  cli: "src/dev/cli.ts",
};

export default defineConfig({
  entry: Object.fromEntries(Object.entries(entries).filter(([, file]) => existsSync(file))),
  format: ["esm", "cjs"],
  dts: true,
  // Not `clean`: other processes (bench, tests) may be reading dist/ while we rebuild;
  // scripts/test.mjs starts from an empty dist/ instead.
  clean: false,
  target: "node20",
  platform: "node",
  sourcemap: false,
  splitting: true,
  shims: false,
  // esbuild renames classes it bundles (`class _class`), and logs would then print
  // `_class [ThreadlineError]`: keep the names users see in stack traces and `.name`.
  keepNames: true,
});
