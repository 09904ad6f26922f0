// The guardrails of `npm test` fail when broken: the lint rules that are DESIGN.md's
// import arrows reject a wrong import, the formatter check rejects unformatted code,
// the coverage floor is configured, and a failed step fails the run. In-process (the
// ESLint and Prettier APIs, not their programs), so it belongs to `npm run test:unit`.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { ESLint } from "eslint";
import * as prettier from "prettier";
import { describe, expect, test } from "vitest";
import config, { COVERAGE_EXCLUDE, COVERAGE_THRESHOLDS } from "../../vitest.config.js";
import { fullRun, notInProcessTests, NOT_UNIT_FOLDERS, tally, unitRun } from "../../scripts/test-steps.mjs";

const root = fileURLToPath(new URL("../..", import.meta.url));

// The type-aware promise rules need a real file in the TypeScript project; the import
// rules under test do not, so the virtual files below are parsed without types.
const eslint = new ESLint({
  cwd: root,
  overrideConfig: {
    files: ["**/*.ts"],
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      "@typescript-eslint/no-floating-promises": "off",
      "@typescript-eslint/no-misused-promises": "off",
      "@typescript-eslint/await-thenable": "off",
    },
  },
});

/** The import-rule messages ESLint reports for `code` as if it were the file at `filePath`. */
async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.filter((m) => m.ruleId === "@typescript-eslint/no-restricted-imports").map((m) => m.message);
}

describe("lint: the import arrows of DESIGN.md Layout", () => {
  test.each([
    ["src/identity/new-file.ts", "../analytics.js"],
    ["src/identity/new-file.ts", "../default-client.js"],
    ["src/identity/deep/new-file.ts", "../../batcher.js"],
    ["src/identity/new-file.ts", "../settlement.js"],
    ["src/identity/new-file.ts", "../transport"],
  ])("%s may not import the client implementation (%s)", async (file, target) => {
    const errors = await importErrors(file, `import * as client from "${target}";\nexport default client;\n`);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/src\/identity\/ never imports the client implementation/);
  });

  test("identity may import the client's types, the errors and the shared contract", async () => {
    const code = [
      'import type { Analytics } from "../analytics.js";',
      'import { ThreadlineError } from "../errors.js";',
      'import { CALL_TYPES } from "../contract.js";',
      "export type A = Analytics;",
      "export const x = [ThreadlineError, CALL_TYPES];",
      "",
    ].join("\n");
    expect(await importErrors("src/identity/new-file.ts", code)).toEqual([]);
  });

  test.each(["src/analytics.ts", "src/identity/request-context.ts", "src/dev/server.ts", "src/spool/file.ts"])(
    "%s may not import a web framework",
    async (file) => {
      for (const framework of ["express", "koa", "fastify", "hono", "hono/cors"]) {
        const errors = await importErrors(file, `import x from "${framework}";\nexport default x;\n`);
        expect(errors, framework).toEqual([expect.stringMatching(/Only the adapters/)]);
      }
    },
  );

  test.each(["src/express.ts", "src/koa.ts", "src/fastify.ts", "src/hono.ts"])("the adapter %s may", async (file) => {
    const framework = file.slice(4, -3);
    expect(await importErrors(file, `import x from "${framework}";\nexport default x;\n`)).toEqual([]);
  });

  test.each([
    ["src/analytics.ts", "./express.js"],
    ["src/batcher.ts", "./fetch.js"],
    ["src/identity/identity-core.ts", "../koa.js"],
  ])("the core and identity never import an adapter (%s → %s)", async (file, target) => {
    const errors = await importErrors(file, `import { threadline } from "${target}";\nexport default threadline;\n`);
    expect(errors).toEqual([expect.stringMatching(/never import an adapter/)]);
  });

  test.each([
    ["src/dev/new-file.ts", "../message.js"],
    ["src/dev/new-file.ts", "../identity/index.js"],
    ["src/dev/page/new-file.ts", "../../options.js"],
    ["src/dev/export/csv/new-file.ts", "../../../analytics.js"],
  ])("%s may not import %s", async (file, target) => {
    const errors = await importErrors(file, `import * as m from "${target}";\nexport default m;\n`);
    expect(errors).toEqual([expect.stringMatching(/src\/dev\/ imports only src\/contract.ts and src\/errors.ts/)]);
  });

  test.each([
    ["src/dev/new-file.ts", ["../contract.js", "../errors.js", "./store.js", "node:fs"]],
    ["src/dev/page/new-file.ts", ["../../contract.js", "../../errors.js", "../validate.js", "./html.js"]],
    ["src/dev/export/csv/new-file.ts", ["../../../errors.js", "../../store.js", "../row.js"]],
  ])("%s may import the contract, the errors and its own files", async (file, targets) => {
    const code = targets.map((t, i) => `import * as m${i} from "${t}";`).join("\n") + "\nexport default [];\n";
    expect(await importErrors(file, code)).toEqual([]);
  });

  test("src/ never imports its own package by name", async () => {
    const errors = await importErrors("src/identity/new-file.ts", 'export { track } from "threadline";\n');
    expect(errors).toEqual([expect.stringMatching(/relative path/)]);
  });
});

describe("format: prettier --check", () => {
  test("the repository's settings are found and an unformatted file fails the check", async () => {
    const filepath = `${root}src/example.ts`;
    const options = await prettier.resolveConfig(filepath);
    expect(options).toMatchObject({ printWidth: 120, trailingComma: "all", semi: true });
    const formatted = 'const greeting = { text: "hello", to: ["you", "me"] };\nexport default greeting;\n';
    expect(await prettier.check(formatted, { ...options, filepath })).toBe(true);
    const bad = "const greeting = {text:'hello',to:['you','me']}\nexport default greeting\n";
    expect(await prettier.check(bad, { ...options, filepath })).toBe(false);
  });

  test("the check covers src/ and test/ (neither is ignored)", async () => {
    for (const file of ["src/analytics.ts", "test/tooling/gates.test.ts", "scripts/test.mjs", "eslint.config.js"]) {
      const info = await prettier.getFileInfo(`${root}${file}`, { ignorePath: `${root}.prettierignore` });
      expect(info.ignored, file).toBe(false);
    }
  });
});

describe("coverage floor", () => {
  test("lines ≥ 90% and branches ≥ 85% over src/, with v8", () => {
    expect(COVERAGE_THRESHOLDS).toEqual({ lines: 90, branches: 85 });
    const coverage = config.test?.coverage as Record<string, unknown>;
    expect(coverage).toMatchObject({ provider: "v8", include: ["src/**/*.ts"], thresholds: COVERAGE_THRESHOLDS });
    expect(coverage.exclude).toEqual(COVERAGE_EXCLUDE);
    expect(COVERAGE_EXCLUDE.every((file) => file.startsWith("src/"))).toBe(true);
  });

  test("the full run measures coverage; a narrowed run cannot meet the floor and skips it", () => {
    expect(fullRun().find((s) => s.id === "tests")?.args).toContain("--coverage");
    expect(fullRun(["test/core"]).find((s) => s.id === "tests")?.args).not.toContain("--coverage");
  });
});

describe("npm test runs every gate and fails when one does", () => {
  test("the full run lints, checks format, type-checks, runs the type tests and the tests", () => {
    const steps = fullRun();
    expect(steps.map((s) => s.id)).toEqual([
      "system",
      "databases",
      "build",
      "lint",
      "format",
      "typecheck",
      "types",
      "tests",
    ]);
    expect(steps.find((s) => s.id === "format")?.args).toContain("--check");
    expect(steps.find((s) => s.id === "lint")?.args).toContain("--max-warnings=0");
  });

  test("the unit run is one vitest run that leaves out the slow folders and the tests that start processes", () => {
    const [step] = unitRun(root);
    expect(step?.tool).toBe("vitest");
    for (const glob of NOT_UNIT_FOLDERS) expect(step?.args).toContain(glob);
    expect(step?.args).toContain("test/core/process-exit.test.ts");
    expect(step?.args).not.toContain("test/core/batching.test.ts");
    expect(step?.args).not.toContain("--coverage");
  });

  test("a test is out of the unit run when it or a test helper it imports starts a process", () => {
    const dir = mkdtempSync(join(tmpdir(), "threadline-unit-"));
    const write = (file: string, text: string) => {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      writeFileSync(join(dir, file), text);
    };
    try {
      write("test/a/direct.test.ts", 'import { spawn } from "node:child_process";\n');
      write("test/a/via-helper.test.ts", 'import { run } from "../helpers/run.js";\n');
      write("test/helpers/run.ts", 'import { helper } from "./deeper.js";\n');
      write("test/helpers/deeper.ts", 'import { execFile } from "child_process";\n');
      write("test/a/browser.test.ts", 'import { chromium } from "playwright-core";\n');
      write("test/a/built.test.ts", 'const entry = "../../dist/index.js";\n');
      write("test/a/plain.test.ts", 'import { Analytics } from "../../src/index.js";\nimport "./cycle.js";\n');
      write("test/a/cycle.ts", 'import "./plain.test.js";\n');
      write("src/index.ts", 'import { spawn } from "node:child_process";\n'); // src/ is not followed
      expect(notInProcessTests(dir)).toEqual([
        "test/a/browser.test.ts",
        "test/a/built.test.ts",
        "test/a/direct.test.ts",
        "test/a/via-helper.test.ts",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("a failed gate counts as a failure and fails the run", () => {
    const counts = { passed: 400, failed: 0, skipped: 0 };
    expect(tally([{ ok: true }, { ok: true, counts }])).toMatchObject({ line: "401 passed, 0 failed", exitCode: 0 });
    expect(tally([{ ok: false }, { ok: true, counts }])).toMatchObject({ line: "400 passed, 1 failed", exitCode: 1 });
  });

  test("failed tests are counted, and a vitest exit with no failed test (the coverage floor) is one failure", () => {
    expect(tally([{ ok: false, counts: { passed: 7, failed: 2, skipped: 1 } }])).toMatchObject({
      line: "7 passed, 2 failed, 1 skipped",
      exitCode: 1,
    });
    expect(tally([{ ok: false, counts: { passed: 408, failed: 0, skipped: 0 } }])).toMatchObject({
      line: "408 passed, 1 failed",
      exitCode: 1,
    });
  });
});
