// One small app per adapter (Express 5/4, Koa 3/2, Fastify 5/4, Hono, the fetch wrapper)
// on a real server, with the same routes, for the sessions and consent tables.
import type { RequestListener } from "node:http";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import { getRequestListener } from "@hono/node-server";
import express5 from "express";
import fastify5 from "fastify";
import { Hono } from "hono";
import Koa3 from "koa";
import { toNodeListener } from "../../../examples/fetch/node-bridge.mjs";
import { threadline as expressThreadline } from "../../../src/express.js";
import fastifyPlugin from "../../../src/fastify.js";
import { analyticsFor, withThreadline } from "../../../src/fetch.js";
import { threadline as honoThreadline } from "../../../src/hono.js";
import type { ConsentLevel } from "../../../src/identity/consent.js";
import type { IdentityOptions } from "../../../src/identity/options.js";
import type { RequestAnalytics } from "../../../src/identity/request-client.js";
import type { Tracker } from "../../../src/identity/types.js";
import { threadline as koaThreadline } from "../../../src/koa.js";
import { serve, type RunningApp } from "./frameworks.js";

const require = createRequire(import.meta.url);
const express4 = require("express4") as typeof express5;
const Koa2 = require("koa2") as typeof Koa3;
const fastify4 = require("fastify4") as typeof fastify5;

export const ALL_ADAPTERS = ["express5", "express4", "koa3", "koa2", "fastify5", "fastify4", "hono", "fetch"] as const;
export type AdapterName = (typeof ALL_ADAPTERS)[number];

/** Options of every adapter but `consent`, which each app reads its own way from `X-Consent`. */
export type AppOptions = Omit<IdentityOptions, "consent"> & { withConsent?: boolean };

/**
 * The routes, once for all adapters. `scoped` is the app's client called module-level
 * style (no request in sight): the request scope must fill it in.
 */
function route(path: string, analytics: RequestAnalytics, scoped: Tracker): Record<string, unknown> {
  switch (path) {
    case "/signup":
      analytics.identify({ userId: "u1", traits: { email: "ada@example.com" } });
      analytics.track({ event: "Signed Up", properties: { plan: "pro" } });
      scoped.track({ event: "Welcome Queued" } as never);
      analytics.alias({ userId: "u1" });
      break;
    case "/reset":
      analytics.reset();
      analytics.track({ event: "After Reset" });
      break;
    default:
      analytics.track({ event: "Request Track" });
      scoped.track({ event: "Scoped Track" } as never);
  }
  return { anonymousId: analytics.anonymousId, session: analytics.session ?? null, consent: analytics.consentLevel };
}

const level = (value: string | undefined | null): ConsentLevel =>
  value === "anonymous" || value === "none" ? value : "full";

function expressApp(factory: typeof express5, options: AppOptions, scoped: Tracker): RequestListener {
  const app = factory();
  const { withConsent, ...identity } = options;
  app.use(
    expressThreadline({ ...identity, ...(withConsent ? { consent: (req) => level(req.get("x-consent")) } : {}) }),
  );
  app.use((req, res) => {
    const body = route(req.path, req.analytics, scoped);
    // The app overwrites Set-Cookie after the middleware, as a careless app does.
    if (req.path === "/overwrite") res.setHeader("Set-Cookie", "app=1; Path=/");
    res.json(body);
  });
  return app as unknown as RequestListener;
}

function koaApp(factory: typeof Koa3, options: AppOptions, scoped: Tracker): RequestListener {
  const app = new factory();
  const { withConsent, ...identity } = options;
  app.use(koaThreadline({ ...identity, ...(withConsent ? { consent: (ctx) => level(ctx.get("x-consent")) } : {}) }));
  app.use((ctx) => {
    ctx.body = route(ctx.path, ctx.analytics, scoped);
    if (ctx.path === "/overwrite") ctx.set("Set-Cookie", "app=1; Path=/");
  });
  return app.callback() as RequestListener;
}

async function fastifyApp(factory: typeof fastify5, options: AppOptions, scoped: Tracker): Promise<RunningApp> {
  const app = factory();
  const { withConsent, ...identity } = options;
  await app.register(fastifyPlugin, {
    ...identity,
    ...(withConsent ? { consent: (request) => level(request.headers["x-consent"] as string | undefined) } : {}),
  });
  app.get("/*", async (request) => route(request.url.split("?")[0]!, request.analytics, scoped));
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

function honoApp(options: AppOptions, scoped: Tracker): RequestListener {
  const app = new Hono();
  const { withConsent, ...identity } = options;
  app.use(
    honoThreadline({ ...identity, ...(withConsent ? { consent: (c) => level(c.req.header("x-consent")) } : {}) }),
  );
  app.get("/*", (c) => c.json(route(c.req.path, c.get("analytics"), scoped)));
  return getRequestListener(app.fetch) as unknown as RequestListener;
}

function fetchApp(options: AppOptions, scoped: Tracker): RequestListener {
  const { withConsent, ...identity } = options;
  const handler = withThreadline(
    async (request: Request) => {
      const body = route(new URL(request.url).pathname, analyticsFor(request), scoped);
      return Response.json(body);
    },
    {
      ...identity,
      clientIp: () => "203.0.113.9",
      ...(withConsent ? { consent: (request: Request) => level(request.headers.get("x-consent")) } : {}),
    },
  );
  return toNodeListener(handler as never);
}

/** Start `adapter`'s app; `scoped` receives the module-level-style calls (usually the same client as `analytics`). */
export function startAdapter(adapter: AdapterName, options: AppOptions, scoped: Tracker): Promise<RunningApp> {
  switch (adapter) {
    case "express5":
      return serve(expressApp(express5, options, scoped));
    case "express4":
      return serve(expressApp(express4, options, scoped));
    case "koa3":
      return serve(koaApp(Koa3, options, scoped));
    case "koa2":
      return serve(koaApp(Koa2, options, scoped));
    case "fastify5":
      return fastifyApp(fastify5, options, scoped);
    case "fastify4":
      return fastifyApp(fastify4, options, scoped);
    case "hono":
      return serve(honoApp(options, scoped));
    case "fetch":
      return serve(fetchApp(options, scoped));
  }
}
