import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Examples import the package by name, as users do; in tests that name means the
// current source, not whatever dist/ was built last.
const source = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/**
 * The coverage floor `npm test` enforces over src/ (scripts/test.mjs turns coverage on;
 * test/tooling/gates.test.ts pins these numbers).
 */
export const COVERAGE_THRESHOLDS = { lines: 90, branches: 85 };

/**
 * Source that cannot run inside the test process, so in-process coverage cannot see it.
 * Each is still exercised, by a test that starts it as a child process.
 */
export const COVERAGE_EXCLUDE = [
  // The `threadline` bin: parses argv and starts a server in its own process (test/dev/cli.test.ts).
  "src/dev/cli.ts",
  // Runs only in the browser, as the dev page's script (test/browser/dev-page.test.ts).
  "src/dev/page/script.ts",
];

export default defineConfig({
  resolve: {
    alias: [
      { find: /^threadline\/express$/, replacement: source("./src/express.ts") },
      { find: /^threadline\/koa$/, replacement: source("./src/koa.ts") },
      { find: /^threadline\/fastify$/, replacement: source("./src/fastify.ts") },
      { find: /^threadline\/hono$/, replacement: source("./src/hono.ts") },
      { find: /^threadline\/fetch$/, replacement: source("./src/fetch.ts") },
      { find: /^threadline\/dev$/, replacement: source("./src/dev/index.ts") },
      { find: /^threadline$/, replacement: source("./src/index.ts") },
    ],
  },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
      exclude: COVERAGE_EXCLUDE,
      thresholds: COVERAGE_THRESHOLDS,
      reporter: ["text-summary", "json-summary"],
      reportsDirectory: "coverage",
    },
    // Type tests (`*.test-d.ts`) run with `vitest run --typecheck.only` (a step of `npm test`).
    typecheck: {
      include: ["test/types/**/*.test-d.ts"],
      tsconfig: "./tsconfig.json",
    },
  },
});
