import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";
import { runNode } from "../helpers/run-node.js";

// These run the built package in a child process, as a user's script would.
const DIST = resolve(__dirname, "../../dist/index.js");
const DIST_CJS = resolve(__dirname, "../../dist/index.cjs");

let collector: TestCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
});

describe("a script that never calls close()", () => {
  it("delivers its one event (ESM, module-level track from the environment) and exits within a second", async () => {
    collector = await startTestCollector();
    const script = `import { track } from ${JSON.stringify(DIST)}; track({ event: "From Script", userId: "u1" });`;
    const { code, exitedAt, stderr } = await runNode(["--input-type=module", "-e", script], {
      THREADLINE_HOST: collector.url,
      THREADLINE_WRITE_KEY: "k",
    });
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(collector.requests).toHaveLength(1);
    expect(collector.requests[0].body.batch[0].event).toBe("From Script");
    expect(exitedAt - collector.requests[0].at).toBeLessThan(1000);
  });

  it("delivers with require() too (CJS build)", async () => {
    collector = await startTestCollector();
    const script = `const { Analytics } = require(${JSON.stringify(DIST_CJS)}); new Analytics({ host: process.env.HOST }).track({ event: "From CJS", userId: "u1" });`;
    const { code, exitedAt } = await runNode(["-e", script], { HOST: collector.url });
    expect(code).toBe(0);
    expect(collector.requests.map((r) => r.body.batch[0].event)).toEqual(["From CJS"]);
    expect(exitedAt - collector.requests[0].at).toBeLessThan(1000);
  });

  it("does not hang when the collector is down: exits after the beforeExit deadline at most", async () => {
    collector = await startTestCollector(() => ({ status: 503 }));
    const script = `import { Analytics } from ${JSON.stringify(DIST)};
      const a = new Analytics({ host: process.env.HOST, minRetryDelay: 100, maxRetryDelay: 100 });
      a.on("error", (e) => console.error("reported", e.code));
      a.track({ event: "Doomed", userId: "u1" });`;
    const started = Date.now();
    const { code, stderr } = await runNode(
      ["--input-type=module", "-e", script],
      { HOST: collector.url },
      { timeoutMs: 20_000 },
    );
    expect(code).toBe(0);
    // maxRetries (10) × 100 ms: it tried them all, reported the failure, and exited.
    expect(collector.requests).toHaveLength(11);
    expect(stderr).toContain("reported delivery_failed");
    expect(Date.now() - started).toBeLessThan(12_000);
  });
});
