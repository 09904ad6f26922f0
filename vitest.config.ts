import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Examples import the package by name, as users do; in tests that name means the
// current source, not whatever dist/ was built last.
const source = (file: string) => fileURLToPath(new URL(file, import.meta.url));

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
  },
});
