import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { basic, collector, get } from "./helpers.js";

/*
 * The real client (src/analytics.ts) against the collector, as a user's script would run
 * it: bundled, in its own plain-node process. (Inside vitest's module runner the client's
 * ESM-only dependencies cannot be imported; a child process sidesteps that and is closer
 * to real use anyway.)
 */
const run = promisify(execFile);
const outDir = resolve("test/.tmp");
const clientFile = join(outDir, `client-${process.pid}.mjs`);
const scriptFile = join(outDir, `send-${process.pid}.mjs`);

beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({ entryPoints: ["src/index.ts"], bundle: true, platform: "node", format: "esm", target: "node20", outfile: clientFile, logLevel: "silent" });
  // Reads { options, calls: [[method, args]...] } from argv, makes the calls, prints close()'s result.
  writeFileSync(
    scriptFile,
    `import { Analytics } from ${JSON.stringify(pathToFileURL(clientFile).href)};
const { options, calls } = JSON.parse(process.argv[2]);
const analytics = new Analytics(options);
analytics.on("error", () => {});
for (const [method, args] of calls) analytics[method](args);
console.log(JSON.stringify(await analytics.close({ timeoutMs: 10000 })));
`,
  );
});
afterAll(() => {
  rmSync(clientFile, { force: true });
  rmSync(scriptFile, { force: true });
});

async function send(options: Record<string, unknown>, calls: Array<[string, Record<string, unknown>]>): Promise<unknown> {
  const { stdout } = await run(process.execPath, [scriptFile, JSON.stringify({ options, calls })], { timeout: 15_000 });
  return JSON.parse(stdout.trim().split("\n").pop()!);
}

describe("the threadline client sending to the collector", () => {
  it("delivers every call with a write key and gzip, and the journey stitches", async () => {
    const { url } = await collector({ writeKey: "wk_dev" });
    const result = await send({ host: url, writeKey: "wk_dev", gzip: true, flushAt: 1 }, [
      ["page", { anonymousId: "a1", name: "Landing", context: { page: { url: "https://x.test/?utm_source=newsletter" } } }],
      ["identify", { userId: "u1", anonymousId: "a1", traits: { plan: "pro" } }],
      ["track", { userId: "u1", event: "Signed Up" }],
      ["alias", { userId: "u1", previousId: "a2" }],
    ]);
    expect(result).toMatchObject({ delivered: 4, failed: 0 });
    // With a write key, reading needs it too.
    const auth = { Authorization: basic("wk_dev") };
    expect((await get(`${url}/dev/events`)).status).toBe(401);
    const events = (await get(`${url}/dev/events`, auth)).body.events;
    expect(events.map((event: { type: string }) => event.type).sort()).toEqual(["alias", "identify", "page", "track"]);
    expect(events[0].context.library.name).toBe("threadline");
    expect((await get(`${url}/dev/rejected`, auth)).body.rejected).toEqual([]);
    const journey = (await get(`${url}/dev/users/u1`, auth)).body;
    expect(journey.anonymousIds.sort()).toEqual(["a1", "a2"]);
    expect(journey.firstTouch.source).toBe("newsletter");
  });

  it("retries through injected 503s with Retry-After, and each message is stored once", async () => {
    const { url } = await collector({ faults: { failRate: 0.5, retryAfter: 0 } });
    const calls = Array.from({ length: 40 }, (_, i): [string, Record<string, unknown>] => ["track", { anonymousId: "a", event: `E${i}` }]);
    expect(await send({ host: url, flushAt: 5, maxRetries: 30 }, calls)).toMatchObject({ delivered: 40, failed: 0 });
    const names = (await get(`${url}/dev/events`)).body.events.map((event: { event: string }) => event.event);
    expect(names.sort()).toEqual(calls.map(([, args]) => args.event).sort());
  });
});
