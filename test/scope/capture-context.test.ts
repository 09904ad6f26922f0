// captureContext() → JSON → a forked worker → withContext() → track(): the job's event
// lands on the visitor's thread, with the campaign the visitor came in on.
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import express from "express";
import { afterAll, beforeAll, expect, test } from "vitest";
import { captureContext } from "../../src/scope.js";
import { threadline } from "../../src/express.js";
import { serve, type RunningApp } from "../identity/helpers/frameworks.js";
import { cookieLine, cookieValue, send } from "../identity/helpers/http.js";
import { startDevCollector, type DevCollector } from "./helpers/dev-collector.js";

let collector: DevCollector;
let app: RunningApp;
let dir: string;
let worker: string;

beforeAll(async () => {
  collector = await startDevCollector();
  const server = express();
  server.use(threadline());
  // The job payload a route would put on a queue.
  server.get("/enqueue", (_req, res) =>
    res.type("json").send(JSON.stringify({ email: "ada@example.com", threadline: captureContext() })),
  );
  app = await serve(server as never);
  // The worker is TypeScript importing the sources: bundle it into one file Node runs as is.
  dir = mkdtempSync(join(tmpdir(), "threadline-worker-"));
  worker = join(dir, "worker.mjs");
  await build({
    entryPoints: [join(__dirname, "helpers/capture-worker.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile: worker,
    logLevel: "silent",
  });
});
afterAll(async () => {
  await app?.close();
  await collector?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runWorker(job: string): Promise<{ delivered: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(worker, [], { stdio: ["ignore", "inherit", "inherit", "ipc"], timeout: 15_000 });
    child.once("message", (message) => resolve(message as { delivered: number }));
    child.once("exit", (code) => reject(new Error(`worker exited with ${code} before answering`)));
    child.send({ host: collector.url, job });
  });
}

test("a job's event from a forked worker carries the visitor's anonymousId and campaign", async () => {
  const first = await send(`${app.url}/enqueue?utm_source=newsletter&utm_campaign=spring`, {
    headers: { "user-agent": "job-test" },
  });
  const aid = cookieValue(cookieLine(first, "aid"))!;
  const payload = JSON.parse(first.body) as { threadline: { anonymousId: string; context: Record<string, unknown> } };
  expect(payload.threadline.anonymousId).toBe(aid);

  expect(await runWorker(first.body)).toEqual({ delivered: 1 });
  const events = (await collector.events()).filter((e) => e.event === "Welcome Email Sent");
  expect(events).toHaveLength(1);
  expect(events[0]!.anonymousId).toBe(aid);
  expect(events[0]!.context).toMatchObject({
    campaign: { source: "newsletter", name: "spring" },
    userAgent: "job-test",
    page: { path: "/enqueue" },
  });
  expect(events[0]!.properties).toEqual({ to: "ada@example.com" });
});
