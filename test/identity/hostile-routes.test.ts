import { createServer, type RequestListener, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import express from "express";
import fc from "fast-check";
import fastify from "fastify";
import { Hono } from "hono";
import Koa from "koa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Analytics, type ThreadlineError } from "../../src/index.js";
import { threadline as expressThreadline } from "../../src/express.js";
import fastifyPlugin from "../../src/fastify.js";
import { analyticsFor, withThreadline } from "../../src/fetch.js";
import { threadline as honoThreadline } from "../../src/hono.js";
import { threadline as koaThreadline } from "../../src/koa.js";
import { toNodeListener } from "../../examples/fetch/node-bridge.mjs";
import type { RequestAnalytics } from "../../src/identity/request-client.js";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";
import { callSequence, FUZZ_RUNS, FUZZ_SEED, type GeneratedCall } from "../helpers/hostile.js";
import { send } from "./helpers/http.js";

// The fuzz of test/core/fuzz.test.ts through real Express, Koa, Fastify, Hono and
// fetch-wrapper routes, calling each adapter's request-scoped client: a bad call never turns the page into a 500, gets a
// coded error, and the good calls of the same request are delivered with its anonymousId.

interface Pending {
  calls: GeneratedCall[];
  errors: Array<ThreadlineError | undefined | "no callback">;
}

const pending = new Map<string, Pending>();

/** The route both apps share: run the calls the test stored under `?run=`, answer 200. */
function runCalls(runId: string, analytics: RequestAnalytics): { anonymousId: string } {
  const run = pending.get(runId)!;
  run.errors = run.calls.map(() => "no callback");
  // No try/catch: a call that throws fails the route with a 500, as it would in an app.
  run.calls.forEach((call, index) => {
    const input = call.make();
    // page() and screen() with no argument are valid here: the request supplies the ids.
    if (input === undefined && (call.method === "page" || call.method === "screen"))
      run.calls[index] = { ...call, bad: false };
    (analytics[call.method] as (input: unknown, cb: (err?: ThreadlineError) => void) => void)(input, (err) => {
      run.errors[index] = err;
    });
  });
  return { anonymousId: analytics.anonymousId };
}

let collector: TestCollector;
let client: Analytics;
const servers: Server[] = [];
const closers: Array<() => Promise<unknown>> = [];

function listen(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)),
  );
}

const apps: Record<string, string> = {};

beforeAll(async () => {
  collector = await startTestCollector();
  client = new Analytics({ host: collector.url, flushAt: 5, flushInterval: 50 });
  client.on("error", () => {});

  const app = express();
  app.use(expressThreadline({ analytics: client }));
  app.get("/run", (req, res) => {
    res.json(runCalls(String(req.query.run), req.analytics));
  });
  apps.express = await listen(app as unknown as RequestListener);

  const koa = new Koa();
  koa.use(koaThreadline({ analytics: client }));
  koa.use((ctx) => {
    ctx.body = runCalls(String(ctx.query.run), ctx.analytics);
  });
  apps.koa = await listen(koa.callback());

  const fastifyApp = fastify();
  await fastifyApp.register(fastifyPlugin, { analytics: client });
  fastifyApp.get("/run", async (request) =>
    runCalls(String((request.query as { run: string }).run), request.analytics),
  );
  await fastifyApp.listen({ port: 0, host: "127.0.0.1" });
  closers.push(() => fastifyApp.close());
  apps.fastify = `http://127.0.0.1:${(fastifyApp.server.address() as AddressInfo).port}`;

  const hono = new Hono();
  hono.use(honoThreadline({ analytics: client }));
  hono.get("/run", (c) => c.json(runCalls(String(c.req.query("run")), c.get("analytics"))));
  apps.hono = await listen(getRequestListener(hono.fetch) as unknown as RequestListener);

  const handler = withThreadline(
    async (request: Request) =>
      Response.json(runCalls(String(new URL(request.url).searchParams.get("run")), analyticsFor(request))),
    { analytics: client },
  );
  apps.fetch = await listen(toNodeListener(handler as never) as RequestListener);
});

afterAll(async () => {
  await client.close();
  for (const close of closers) await close();
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  await collector.close();
});

let runs = 0;

describe.each(["express", "koa", "fastify", "hono", "fetch"])("fuzz through a real %s route", (framework) => {
  it("regression: req.analytics.track({ event, timestamp: Date.now() * 1e6 }) once turned the page into a 500", async () => {
    const runId = String(++runs);
    const call = {
      method: "track" as const,
      bad: true,
      label: "microsecond timestamp",
      make: () => ({ event: "Paid", timestamp: Date.now() * 1e6 }),
    };
    const run: Pending = { calls: [call], errors: [] };
    pending.set(runId, run);
    const reply = await send(`${apps[framework]}/run?run=${runId}`);
    expect(reply.status).toBe(200);
    await client.flush();
    const error = run.errors[0] as ThreadlineError;
    expect(error.code).toBe("invalid_message");
    expect(error.message).toContain("`timestamp`");
    pending.delete(runId);
  });

  it("no 500 from a bad call; every bad call gets a coded error; the good calls are delivered with the request's anonymousId", async () => {
    await fc.assert(
      fc.asyncProperty(callSequence, async (calls) => {
        const runId = String(++runs);
        const run: Pending = { calls, errors: [] };
        pending.set(runId, run);
        const reply = await send(`${apps[framework]}/run?run=${runId}`);
        expect(reply.status, reply.body).toBe(200);
        const { anonymousId } = reply.json<{ anonymousId: string }>();
        const result = await client.flush();
        calls.forEach((call, index) => {
          const error = run.errors[index];
          expect(error, `${call.label}`).not.toBe("no callback");
          if (call.bad)
            expect(
              ["invalid_message", "message_too_large"],
              `${call.label} → ${String((error as ThreadlineError | undefined)?.message)}`,
            ).toContain((error as ThreadlineError | undefined)?.code);
          else expect(error, `${call.label} → ${(error as ThreadlineError | undefined)?.message}`).toBeUndefined();
        });
        const good = calls.filter((call) => !call.bad);
        expect(result).toEqual({ delivered: good.length, failed: 0, dropped: 0, pending: 0 });
        // Request-bound calls carry the request's id (alias carries previousId instead).
        const mine = collector.requests
          .flatMap((request) => request.body.batch)
          .filter((message) => message.anonymousId === anonymousId);
        expect(mine).toHaveLength(good.filter((call) => call.method !== "alias").length);
        pending.delete(runId);
      }),
      { numRuns: Math.max(10, Math.floor(FUZZ_RUNS / 2)), seed: FUZZ_SEED, endOnFailure: true },
    );
  });
});
