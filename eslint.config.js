// ESLint flat config. The import rules below ARE the arrows of DESIGN.md "Layout"
// (adapters → identity → core; dev → contract and errors only); ARCHITECTURE.md lists them
// in prose. Each boundary is a `no-restricted-imports` pattern, so breaking one names the
// rule in the message and no extra plugin is needed.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

// Node's globals, read from the running Node rather than from a list package: `process`,
// `Buffer`, `setTimeout`, `fetch`, `URL`, … (only plain .js/.mjs files need them; in
// TypeScript the compiler checks names).
const nodeGlobals = Object.fromEntries(
  [...Object.getOwnPropertyNames(globalThis), "process", "Buffer", "console"].map((name) => [name, "readonly"]),
);

/** The framework adapters: the only files that may import a web framework. */
export const ADAPTERS = ["src/express.ts", "src/koa.ts", "src/fastify.ts", "src/hono.ts", "src/fetch.ts"];

const FRAMEWORKS = {
  group: ["express", "express/*", "koa", "koa/*", "fastify", "fastify/*", "@fastify/*", "hono", "hono/*", "@hono/*"],
  message: "Only the adapters (src/express.ts, koa.ts, fastify.ts, hono.ts, fetch.ts) import a web framework.",
};

const SELF = {
  group: ["threadline", "threadline/*"],
  message: "Inside src/, import the module by its relative path, not the package name (that is the whole client).",
};

// The core and identity reach an adapter only through the user's import, never their own.
const NO_ADAPTER = {
  regex: "^(\\./|(\\.\\./)+)(express|koa|fastify|hono|fetch)(\\.js)?$",
  message: "The core and identity never import an adapter; adapters import them.",
};

// What identity may not reach: the client implementation. Types from these files are
// fine (`import type`), and so are errors, contract, scope, types and ids.
const CLIENT_IMPLEMENTATION = [
  "analytics",
  "batcher",
  "settlement",
  "transport",
  "default-client",
  "delivery",
  "queue",
  "ledger",
  "outcome",
  "exit",
  "retry",
  "emitter",
  "message",
  "index",
  "spool(/.*)?",
];
const NO_CLIENT = {
  regex: `^(\\.\\./)+(${CLIENT_IMPLEMENTATION.join("|")})(\\.js)?$`,
  allowTypeImports: true,
  message:
    "src/identity/ never imports the client implementation (a type-only import is fine); the client is handed in.",
};

// src/dev/ may leave its folder only for the shared contract and the errors. `depth` is how
// many `../` lead from the file to src/.
const devOnlyContract = (depth) => ({
  regex: `^${"\\.\\./".repeat(depth)}(?!(contract|errors)(\\.js)?$)`,
  message: "src/dev/ imports only src/contract.ts and src/errors.ts from the rest of the library.",
});

const restrict = (...patterns) => ({
  "no-restricted-imports": "off",
  "@typescript-eslint/no-restricted-imports": ["error", { patterns }],
});

export default defineConfig(
  {
    ignores: ["dist/**", "coverage/**", "**/node_modules/**", "bench/.tmp/**", "test/.tmp/**", ".threadline/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // `_name` marks a parameter a signature needs but the body does not.
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none", ignoreRestSiblings: true },
      ],
      // `interface X extends Y {}` is how a declaration merge adds Y's fields to a
      // framework's own interface (hono's ContextVariableMap).
      "@typescript-eslint/no-empty-object-type": ["error", { allowInterfaces: "with-single-extends" }],
    },
  },
  {
    // Type-aware, but only the promise rules and only over src/: a dropped promise is a lost
    // event or an unhandled rejection in a user's process. (The full type-checked preset
    // doubles the lint time for findings the compiler already covers.)
    name: "src/promises",
    files: ["src/**/*.ts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
    },
  },
  {
    // Functions these files hand to a browser page (playwright's page.evaluate).
    name: "browser-callbacks",
    files: ["test/fixtures/*.mjs", "scripts/demo-browser.mjs"],
    languageOptions: { globals: { window: "readonly", document: "readonly", location: "readonly" } },
  },
  // ---- DESIGN.md "Layout": one block per layer, disjoint file sets (a later block would
  // replace, not add to, an earlier block's restricted imports).
  {
    name: "layout/core",
    files: ["src/*.ts", "src/spool/**/*.ts"],
    ignores: ADAPTERS,
    rules: restrict(FRAMEWORKS, SELF, NO_ADAPTER),
  },
  {
    name: "layout/identity",
    files: ["src/identity/**/*.ts"],
    rules: restrict(NO_CLIENT, FRAMEWORKS, SELF, NO_ADAPTER),
  },
  {
    name: "layout/adapters",
    files: ADAPTERS,
    rules: restrict(SELF),
  },
  { name: "layout/dev", files: ["src/dev/*.ts"], rules: restrict(devOnlyContract(1), FRAMEWORKS, SELF) },
  { name: "layout/dev-2", files: ["src/dev/*/*.ts"], rules: restrict(devOnlyContract(2), FRAMEWORKS, SELF) },
  { name: "layout/dev-3", files: ["src/dev/*/*/**/*.ts"], rules: restrict(devOnlyContract(3), FRAMEWORKS, SELF) },
  {
    // Tests, examples, scripts and the bench may use `any` and non-null assertions where a
    // fixture's shape is known; they are still linted for real mistakes.
    name: "outside-src",
    files: ["test/**", "examples/**", "scripts/**", "bench/**"],
    rules: {
      "@typescript-eslint/no-explicit-any": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
