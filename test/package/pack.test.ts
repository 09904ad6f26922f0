import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
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
  await run(NPM, ["install", "--no-audit", "--no-fund", "--ignore-scripts", tarball], { cwd: scratch, timeout: 120_000 });
  collector = await startTestCollector();
}, 150_000);

afterAll(async () => {
  await collector?.close();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

function node(file: string, source: string) {
  writeFileSync(join(scratch, file), source);
  return run(process.execPath, [file], { cwd: scratch, env: { ...process.env, THREADLINE_HOST: collector.url, THREADLINE_WRITE_KEY: "k" }, timeout: 15_000 });
}

describe("the packed tarball", () => {
  it("works with import (ESM) and sends an event", async () => {
    await node("esm.mjs", `import { track, flush, Analytics, newAnonymousId } from "threadline";
      import { threadline as expressMiddleware } from "threadline/express";
      import { threadline as koaMiddleware } from "threadline/koa";
      import { startCollector } from "threadline/dev";
      if (typeof Analytics !== "function" || typeof expressMiddleware !== "function" || typeof koaMiddleware !== "function" || typeof startCollector !== "function") throw new Error("missing export");
      track({ event: "Packed ESM", anonymousId: newAnonymousId() });
      const result = await flush();
      if (result.delivered !== 1) throw new Error(JSON.stringify(result));`);
    expect(collector.requests.flatMap((r) => r.body.batch.map((m) => m.event))).toContain("Packed ESM");
  });

  it("works with require (CJS) and sends an event", async () => {
    await node("cjs.cjs", `const { track, flush, Analytics } = require("threadline");
      const { threadline } = require("threadline/express");
      const { startCollector } = require("threadline/dev");
      if (typeof Analytics !== "function" || typeof threadline !== "function" || typeof startCollector !== "function") throw new Error("missing export");
      track({ event: "Packed CJS", userId: "u1" });
      flush().then((result) => { if (result.delivered !== 1) { console.error(result); process.exit(1); } });`);
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
    const { stdout } = await run(join(scratch, "node_modules/.bin/threadline"), ["--help"], { cwd: scratch, timeout: 10_000 }).catch((error) => error);
    expect(String(stdout)).toMatch(/dev/);
  });

  it("is publint-clean and has types that resolve for import and require", async () => {
    const publint = await run(process.execPath, [join(ROOT, "node_modules/publint/src/cli.js"), "--strict", ROOT], { cwd: ROOT, timeout: 60_000 });
    expect(publint.stdout).toMatch(/All good/);
    // node16 profile: Node's own resolution for import and require (node10 cannot see subpath exports).
    // attw exits non-zero on any problem, which makes `run` reject.
    const attw = await run(process.execPath, [join(ROOT, "node_modules/@arethetypeswrong/cli/dist/index.js"), tarball, "--profile", "node16", "--format", "ascii"], {
      cwd: ROOT,
      timeout: 60_000,
    });
    expect(attw.stdout).toMatch(/"threadline\/express"[\s\S]*node16 \(from CJS\): 🟢/);
  });
});
