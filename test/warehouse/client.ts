import { execFile } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import type { Call } from "./journeys.js";

const run = promisify(execFile);
const dir = resolve("test/.tmp");
const clientFile = join(dir, `warehouse-client-${process.pid}.mjs`);
let built: Promise<unknown> | undefined;

/** The client bundled once per test process (the caller removes it with removeClientBundle). */
function buildClient(): Promise<unknown> {
  mkdirSync(dir, { recursive: true });
  built ??= build({
    entryPoints: ["src/index.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: clientFile,
    logLevel: "silent",
  });
  return built;
}

export function removeClientBundle(): void {
  rmSync(clientFile, { force: true });
}

/**
 * Makes the calls with the real client (src/, bundled) in its own node process, as a user's
 * server would; vitest's module runner cannot load the client's ESM-only dependencies.
 * Awaits flush() every few hundred calls: a larger synchronous burst would exceed the queue.
 */
export async function sendWithRealClient(
  host: string,
  calls: Call[],
  options: Record<string, unknown> = {},
): Promise<unknown> {
  const stamp = `${process.pid}-${Date.now()}`;
  const scriptFile = join(dir, `warehouse-send-${stamp}.mjs`);
  const callsFile = join(dir, `warehouse-calls-${stamp}.json`);
  try {
    await buildClient();
    writeFileSync(callsFile, JSON.stringify({ options: { host, ...options }, calls }));
    writeFileSync(
      scriptFile,
      `import { readFileSync } from "node:fs";
import { Analytics } from ${JSON.stringify(pathToFileURL(clientFile).href)};
const { options, calls } = JSON.parse(readFileSync(${JSON.stringify(callsFile)}, "utf8"));
const analytics = new Analytics(options);
analytics.on("error", () => {});
for (const [i, [method, args]] of calls.entries()) {
  analytics[method](args);
  if (i % 500 === 499) await analytics.flush();
}
console.log(JSON.stringify(await analytics.close({ timeoutMs: 60000 })));
`,
    );
    const { stdout } = await run(process.execPath, [scriptFile], { timeout: 120_000 });
    return JSON.parse(stdout.trim().split("\n").pop()!);
  } finally {
    for (const file of [scriptFile, callsFile]) rmSync(file, { force: true });
  }
}
