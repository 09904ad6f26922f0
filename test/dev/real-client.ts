import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll } from "vitest";

/*
 * The real client (src/analytics.ts) against the collector, as a user's script would run
 * it: bundled, in its own plain-node process. (Inside vitest's module runner the client's
 * ESM-only dependencies cannot be imported; a child process sidesteps that and is closer
 * to real use anyway.) Call once at the top of a test file; use the returned `send`.
 */
export function useRealClient(
  name: string,
): (options: Record<string, unknown>, calls: Array<[string, Record<string, unknown>]>) => Promise<unknown> {
  const run = promisify(execFile);
  const outDir = resolve("test/.tmp");
  const clientFile = join(outDir, `${name}-client-${process.pid}.mjs`);
  const scriptFile = join(outDir, `${name}-send-${process.pid}.mjs`);

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    await build({
      entryPoints: ["src/index.ts"],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      outfile: clientFile,
      logLevel: "silent",
    });
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

  return async (options, calls) => {
    const { stdout } = await run(process.execPath, [scriptFile, JSON.stringify({ options, calls })], {
      timeout: 15_000,
    });
    return JSON.parse(stdout.trim().split("\n").pop()!);
  };
}
