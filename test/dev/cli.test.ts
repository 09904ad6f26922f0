import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseCliArgs } from "../../src/dev/cli-args.js";
import { basic, get, message, post, tempDir } from "./helpers.js";

// The CLI as the package ships it: one bundled ESM file run by plain node.
const outDir = resolve("test/.tmp");
const cliFile = join(outDir, `cli-${process.pid}.mjs`);
beforeAll(async () => {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: ["src/dev/cli.ts"],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    outfile: cliFile,
    logLevel: "silent",
  });
});
afterAll(() => rmSync(cliFile, { force: true }));

interface Run {
  child: ChildProcess;
  firstLine: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function run(args: string[]): Run {
  const child = spawn(process.execPath, [cliFile, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr!.on("data", (chunk) => (stderr += chunk));
  // Never outlive the test, whatever happens.
  const guard = setTimeout(() => child.kill("SIGKILL"), 10_000);
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.on("exit", (code, signal) => {
      clearTimeout(guard);
      resolve({ code, signal, stderr });
    }),
  );
  const firstLine = new Promise<string>((resolve, reject) => {
    let stdout = "";
    child.stdout!.on("data", (chunk) => {
      stdout += chunk;
      if (stdout.includes("\n")) resolve(stdout.split("\n")[0]!);
    });
    child.on("exit", () => reject(new Error(`exited before printing a line; stderr: ${stderr}`)));
  });
  // A run that is expected to fail never reads its first line: do not let that go unhandled.
  firstLine.catch(() => {});
  return { child, firstLine, exit };
}

describe("threadline dev (the CLI)", () => {
  it("prints its URL once it listens, serves, and stops cleanly on SIGTERM", async () => {
    const dataFile = join(tempDir(), "events.ndjson");
    const cli = run(["dev", "--port", "0", "--quiet", "--data", dataFile]);
    const url = await cli.firstLine;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await post(`${url}/v1/batch`, { batch: [message("track", { userId: "u" })] })).body.accepted).toBe(1);
    expect(readFileSync(dataFile, "utf8").split("\n").filter(Boolean)).toHaveLength(1);
    const started = Date.now();
    cli.child.kill("SIGTERM");
    const { code, signal } = await cli.exit;
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it("stops on SIGINT too, with a page tab's keep-alive connection open", async () => {
    const cli = run(["dev", "--port", "0", "--quiet", "--data", join(tempDir(), "e.ndjson")]);
    const url = await cli.firstLine;
    expect((await get(`${url}/dev/users`)).status).toBe(200);
    cli.child.kill("SIGINT");
    expect((await cli.exit).code).toBe(0);
  });

  it("passes the fault, write-key and allow-origin flags through", async () => {
    const cli = run([
      "dev",
      "--port",
      "0",
      "--quiet",
      "--data",
      join(tempDir(), "e.ndjson"),
      "--status",
      "429",
      "--retry-after",
      "3",
      "--write-key",
      "k",
      "--allow-origin",
      "http://localhost:3000",
    ]);
    const url = await cli.firstLine;
    const answer = await post(`${url}/v1/batch`, { batch: [] }, { headers: { Origin: "http://localhost:3000" } });
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after")).toBe("3");
    expect(answer.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect((await get(`${url}/dev/events`)).status).toBe(401);
    expect((await get(`${url}/dev/events`, { Authorization: basic("k") })).status).toBe(200);
    cli.child.kill("SIGTERM");
    await cli.exit;
  });

  it("exits 2 with the usage on a bad flag, and 1 when the port is taken", async () => {
    const bad = run(["dev", "--latency", "soon"]);
    const badExit = await bad.exit;
    expect(badExit.code).toBe(2);
    expect(badExit.stderr).toMatch(/--latency needs a number/);
    expect(badExit.stderr).toMatch(/Usage: threadline dev/);

    const first = run(["dev", "--port", "0", "--quiet", "--data", join(tempDir(), "a.ndjson")]);
    const port = new URL(await first.firstLine).port;
    const second = run(["dev", "--port", port, "--quiet", "--data", join(tempDir(), "b.ndjson")]);
    const secondExit = await second.exit;
    expect(secondExit.code).toBe(1);
    expect(secondExit.stderr).toMatch(/EADDRINUSE/);
    first.child.kill("SIGTERM");
    await first.exit;
  });
});

describe("parseCliArgs", () => {
  it("maps every flag onto startCollector's options", () => {
    const parsed = parseCliArgs([
      "dev",
      "--port",
      "0",
      "--data",
      "x.ndjson",
      "--write-key",
      "k",
      "--fail-rate",
      "0.3",
      "--status",
      "500",
      "--retry-after",
      "2",
      "--latency",
      "200",
      "--drop-connections",
      "--quiet",
      "--allow-origin",
      "http://localhost:3000",
      "--allow-origin",
      "http://localhost:5173",
      "--allow-host",
      "collector",
      "--max-rejected",
      "50",
      "--headers-timeout",
      "2000",
      "--request-timeout",
      "9000",
      "--body-timeout",
      "1500",
    ]);
    expect(parsed).toEqual({
      help: false,
      options: {
        port: 0,
        dataFile: "x.ndjson",
        writeKey: "k",
        allowOrigins: ["http://localhost:3000", "http://localhost:5173"],
        allowHosts: ["collector"],
        maxRejected: 50,
        headersTimeoutMs: 2000,
        requestTimeoutMs: 9000,
        bodyTimeoutMs: 1500,
        quiet: true,
        faults: { failRate: 0.3, status: 500, retryAfter: 2, latencyMs: 200, dropConnections: true },
      },
    });
    expect(parseCliArgs(["dev"])).toEqual({ help: false, options: { faults: {} } });
    expect(parseCliArgs(["--help"])).toEqual({ help: true });
    expect(() => parseCliArgs([])).toThrow(/missing command/);
    expect(() => parseCliArgs(["serve"])).toThrow(/unknown command/);
    expect(() => parseCliArgs(["dev", "--colour"])).toThrow(/Unknown option/);
  });
});
