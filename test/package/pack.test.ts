import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";

const run = promisify(execFile);
const ROOT = resolve(__dirname, "../..");
const NPM = process.platform === "win32" ? "npm.cmd" : "npm";

let scratch: string;
let tarball: string;
let collector: TestCollector;

// The published artifact, not the source: pack it, install the tarball into an empty
// project, and use it the way users will.
beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), "threadline-pack-"));
  const { stdout } = await run(NPM, ["pack", "--json", "--pack-destination", scratch], { cwd: ROOT });
  tarball = join(scratch, JSON.parse(stdout)[0].filename);
  writeFileSync(join(scratch, "package.json"), JSON.stringify({ name: "scratch", private: true, version: "1.0.0" }));
  await run(NPM, ["install", "--no-audit", "--no-fund", "--ignore-scripts", tarball], {
    cwd: scratch,
    timeout: 120_000,
  });
  collector = await startTestCollector();
}, 150_000);

afterAll(async () => {
  await collector?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function node(file: string, source: string) {
  writeFileSync(join(scratch, file), source);
  return run(process.execPath, [file], {
    cwd: scratch,
    env: { ...process.env, THREADLINE_HOST: collector.url, THREADLINE_WRITE_KEY: "k" },
    timeout: 15_000,
  });
}

describe("the packed tarball", () => {
  it("works with import (ESM) and sends an event", async () => {
    await node(
      "esm.mjs",
      `import { track, flush, Analytics, newAnonymousId } from "threadline";
      import { threadline as expressMiddleware } from "threadline/express";
      import { threadline as koaMiddleware } from "threadline/koa";
      import { startCollector } from "threadline/dev";
      if (typeof Analytics !== "function" || typeof expressMiddleware !== "function" || typeof koaMiddleware !== "function" || typeof startCollector !== "function") throw new Error("missing export");
      track({ event: "Packed ESM", anonymousId: newAnonymousId() });
      const result = await flush();
      if (result.delivered !== 1) throw new Error(JSON.stringify(result));`,
    );
    expect(collector.requests.flatMap((r) => r.body.batch.map((m) => m.event))).toContain("Packed ESM");
  });

  it("works with require (CJS) and sends an event", async () => {
    await node(
      "cjs.cjs",
      `const { track, flush, Analytics } = require("threadline");
      const { threadline } = require("threadline/express");
      const { startCollector } = require("threadline/dev");
      if (typeof Analytics !== "function" || typeof threadline !== "function" || typeof startCollector !== "function") throw new Error("missing export");
      track({ event: "Packed CJS", userId: "u1" });
      flush().then((result) => { if (result.delivered !== 1) { console.error(result); process.exit(1); } });`,
    );
    expect(collector.requests.flatMap((r) => r.body.batch.map((m) => m.event))).toContain("Packed CJS");
  });

  it("does not load express or koa when only the core is imported, even where they are installed", async () => {
    // The repo root has both installed; the scratch project has neither.
    const script = `require(${JSON.stringify(join(ROOT, "dist/index.cjs"))});
      console.log(JSON.stringify(Object.keys(require.cache).filter((f) => /node_modules[\\\\/](express|koa)[\\\\/]/.test(f))));`;
    const { stdout } = await run(process.execPath, ["-e", script], { cwd: ROOT, timeout: 10_000 });
    expect(JSON.parse(stdout)).toEqual([]);
  });

  it("exposes a working `threadline dev` bin", async () => {
    const { stdout } = await run(join(scratch, "node_modules/.bin/threadline"), ["--help"], {
      cwd: scratch,
      timeout: 10_000,
    }).catch((error) => error);
    expect(String(stdout)).toMatch(/dev/);
  });

  it("is publint-clean, and attw finds no problem for any entry under node10, node16 and bundler", async () => {
    const publint = await run(process.execPath, [join(ROOT, "node_modules/publint/src/cli.js"), "--strict", ROOT], {
      cwd: ROOT,
      timeout: 60_000,
    });
    expect(publint.stdout).toMatch(/All good/);
    // The default profile checks node10 (typesVersions), node16 from CJS and ESM, and bundler.
    // attw exits non-zero on any problem, which makes `run` reject.
    const attw = await run(
      process.execPath,
      [join(ROOT, "node_modules/@arethetypeswrong/cli/dist/index.js"), tarball, "--format", "ascii"],
      {
        cwd: ROOT,
        timeout: 60_000,
      },
    );
    expect(attw.stdout).toMatch(/No problems found/);
    const entries = Object.keys(JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")).exports).filter(
      (key) => key !== "./package.json",
    );
    for (const entry of entries) {
      const name = entry === "." ? "threadline" : `threadline/${entry.slice(2)}`;
      const section = attw.stdout.split(`"${name}"`)[1]?.split("***")[0] ?? "";
      expect({ name, section }).toMatchObject({
        section: expect.stringMatching(
          /node10: 🟢[\s\S]*node16 \(from CJS\): 🟢[\s\S]*node16 \(from ESM\): 🟢[\s\S]*bundler: 🟢/,
        ),
      });
    }
  });

  it("keeps class names under require (logs print ThreadlineError, not _class)", async () => {
    const { stdout } = await node(
      "names.cjs",
      `const { ThreadlineError, Analytics } = require("threadline");
      const error = new ThreadlineError("config", "x");
      console.log(JSON.stringify([ThreadlineError.name, Analytics.name, String(error), require("node:util").inspect(error).split("\\n")[0]]));`,
    );
    expect(JSON.parse(stdout)).toEqual(["ThreadlineError", "Analytics", "ThreadlineError: x", "ThreadlineError: x"]);
  });

  it("installs without an HTTP client or retry library: the default transport is node:http", () => {
    expect(existsSync(join(scratch, "node_modules/node-fetch"))).toBe(false);
    expect(existsSync(join(scratch, "node_modules/p-retry"))).toBe(false);
    expect(existsSync(join(scratch, "node_modules/web-streams-polyfill"))).toBe(false);
  });
});

/** The README's ```js blocks, as a consumer would paste them. */
function readmeSnippets(): string[] {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  return [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((match) =>
    // A `require` snippet is checked as the equivalent import (require() is untyped).
    match[1].replace(/^const (\{[^}]*\}) = require\(("[^"]+")\);$/gm, "import $1 from $2;"),
  );
}

describe("a strict TypeScript consumer (exactOptionalPropertyTypes) of the packed tarball", () => {
  let project: string;
  const tsc = (config: string) =>
    run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", config], {
      cwd: project,
      timeout: 120_000,
    }).catch((error) => {
      throw new Error(`tsc -p ${config} failed:\n${error.stdout}${error.stderr}`);
    });

  beforeAll(() => {
    project = join(scratch, "consumer");
    mkdirSync(project, { recursive: true });
    // The snippets use express and node-fetch; their types come from this repository's install.
    for (const dep of ["@types", "express", "node-fetch"]) {
      if (!existsSync(join(scratch, "node_modules", dep)))
        symlinkSync(join(ROOT, "node_modules", dep), join(scratch, "node_modules", dep), "junction");
    }
    // Plain JavaScript snippets leave handler parameters untyped; everything else is strict.
    const strict = {
      strict: true,
      exactOptionalPropertyTypes: true,
      noEmit: true,
      skipLibCheck: true,
      target: "es2022",
      types: ["node"],
    };
    writeFileSync(
      join(project, "tsconfig.readme.json"),
      JSON.stringify({
        compilerOptions: {
          ...strict,
          noImplicitAny: false,
          module: "nodenext",
          moduleResolution: "nodenext",
          allowJs: true,
          checkJs: true,
        },
        include: ["readme-*.mjs", "globals.d.ts"],
      }),
    );
    writeFileSync(
      join(project, "tsconfig.node10.json"),
      JSON.stringify({
        compilerOptions: { ...strict, module: "commonjs", moduleResolution: "node10", esModuleInterop: true },
        include: ["node10.ts"],
      }),
    );
    // What the snippets take as given: a client, a server, a logger, rows to backfill.
    writeFileSync(
      join(project, "globals.d.ts"),
      `import type { Analytics } from "threadline";
      declare global {
        var analytics: Analytics;
        var server: { close(): void };
        var log: { warn(fields: object, message: string): void };
        var rows: Array<{ userId: string; event: string; at: Date }>;
        function createUser(email: string): string;
      }
      export {};`,
    );
  });

  it("compiles every JavaScript snippet of the README (checkJs, nodenext)", async () => {
    const snippets = readmeSnippets();
    expect(snippets.length).toBeGreaterThanOrEqual(8);
    snippets.forEach((code, i) => writeFileSync(join(project, `readme-${i}.mjs`), code + "\nexport {};\n"));
    await tsc("tsconfig.readme.json");
  });

  it("compiles optional options given as possibly-undefined values, every entry resolving under node10", async () => {
    writeFileSync(
      join(project, "node10.ts"),
      `import { Analytics, type Options, type FlushResult } from "threadline";
      import { threadline as expressMiddleware } from "threadline/express";
      import { threadline as koaMiddleware } from "threadline/koa";
      import { startCollector } from "threadline/dev";
      const options: Options = { host: process.env.COLLECTOR_URL, writeKey: process.env.WRITE_KEY, fetch: undefined, flushAt: undefined, maxEventsInBatch: 15 };
      const analytics = new Analytics(options);
      analytics.track({ event: "E", userId: process.env.USER_ID, anonymousId: undefined, properties: { a: 1 } });
      const deadline: number | undefined = process.env.DEADLINE ? Number(process.env.DEADLINE) : undefined;
      const counted: Promise<number> = analytics.flush({ timeoutMs: deadline }).then((r: FlushResult) => r.delivered + r.failed + r.dropped + r.pending);
      void counted;
      void analytics.closeAndFlush({ timeout: deadline });
      void expressMiddleware({ analytics });
      void koaMiddleware({ analytics });
      void startCollector;`,
    );
    await tsc("tsconfig.node10.json");
  });
});
