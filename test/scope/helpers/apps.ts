// The same small app on every framework threadline adapts: module-level calls only, so
// every id on the events comes from the request scope.
import type { RequestListener } from "node:http";
import { createRequire } from "node:module";
import { getRequestListener } from "@hono/node-server";
import express5 from "express";
import fastify5, { type FastifyInstance } from "fastify";
import { Hono } from "hono";
import Koa3 from "koa";
import { toNodeListener } from "../../../examples/fetch/node-bridge.mjs";
import fastifyThreadline from "../../../src/fastify.js";
import { withThreadline } from "../../../src/fetch.js";
import { threadline as honoThreadline } from "../../../src/hono.js";
import { page } from "../../../src/default-client.js";
import { threadline as expressThreadline } from "../../../src/express.js";
import { threadline as koaThreadline } from "../../../src/koa.js";
import type { IdentityOptions } from "../../../src/identity/options.js";
import { serve, type RunningApp } from "../../identity/helpers/frameworks.js";
import { busyThenTrack, createUser, identifyThenTrack } from "./service.js";

const require = createRequire(import.meta.url);
const express4 = require("express4") as typeof express5;
const Koa2 = require("koa2") as typeof Koa3;
const fastify4 = require("fastify4") as typeof fastify5;

export const SCOPED_FRAMEWORKS = [
  "express5",
  "express4",
  "koa3",
  "koa2",
  "fastify5",
  "fastify4",
  "hono",
  "fetch",
] as const;
export type ScopedFramework = (typeof SCOPED_FRAMEWORKS)[number];

const emailOf = (form: string): string => new URLSearchParams(form).get("email") ?? "";

async function readText(body: AsyncIterable<unknown>): Promise<string> {
  let text = "";
  for await (const chunk of body) text += String(chunk);
  return text;
}

function expressApp(factory: typeof express5, options: IdentityOptions): RequestListener {
  const app = factory();
  app.use(expressThreadline(options));
  app.get("/", (req, res) => {
    page({ name: "Home" });
    res.json({ anonymousId: req.anonymousId });
  });
  // A body parser after the middleware: its `next()` comes from the request stream's events.
  app.post("/signup", factory.urlencoded({ extended: false }), async (req, res) => {
    const userId = await createUser(String((req.body as { email?: string }).email));
    res.json({ userId, anonymousId: req.anonymousId });
  });
  app.post("/iso", async (req, res) => {
    const tag = String(req.query.tag);
    await busyThenTrack(tag, req);
    res.json({ tag, anonymousId: req.anonymousId });
  });
  app.get("/bind", async (req, res) => {
    await identifyThenTrack(req.query.user === undefined ? undefined : String(req.query.user));
    res.json({ anonymousId: req.anonymousId });
  });
  return app as unknown as RequestListener;
}

function koaApp(factory: typeof Koa3, options: IdentityOptions): RequestListener {
  const app = new factory();
  app.use(koaThreadline(options));
  app.use(async (ctx) => {
    const anonymousId = ctx.state.anonymousId;
    if (ctx.method === "GET" && ctx.path === "/") {
      page({ name: "Home" });
      ctx.body = { anonymousId };
    } else if (ctx.method === "POST" && ctx.path === "/signup") {
      const userId = await createUser(emailOf(await readText(ctx.req)));
      ctx.body = { userId, anonymousId };
    } else if (ctx.method === "POST" && ctx.path === "/iso") {
      const tag = String(ctx.query.tag);
      await busyThenTrack(tag, ctx.req);
      ctx.body = { tag, anonymousId };
    } else if (ctx.path === "/bind") {
      await identifyThenTrack(typeof ctx.query.user === "string" ? ctx.query.user : undefined);
      ctx.body = { anonymousId };
    }
  });
  return app.callback() as RequestListener;
}

async function fastifyApp(factory: typeof fastify5, options: IdentityOptions): Promise<RunningApp> {
  const app: FastifyInstance = factory();
  // Parsed from the body stream's events: the handler must still run in the scope.
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_req, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  // Handed to the route as the raw stream, which the route reads itself.
  app.addContentTypeParser("text/plain", (_req, payload, done) => done(null, payload));
  await app.register(fastifyThreadline, options);
  app.get("/", async (request) => {
    page({ name: "Home" });
    return { anonymousId: request.anonymousId };
  });
  app.post("/signup", async (request) => ({
    userId: await createUser((request.body as { email: string }).email),
    anonymousId: request.anonymousId,
  }));
  app.post("/iso", async (request) => {
    const tag = String((request.query as { tag: string }).tag);
    await busyThenTrack(tag, request.body as AsyncIterable<unknown>);
    return { tag, anonymousId: request.anonymousId };
  });
  app.get("/bind", async (request) => {
    await identifyThenTrack((request.query as { user?: string }).user);
    return { anonymousId: request.anonymousId };
  });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const { port } = app.server.address() as import("node:net").AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

function honoApp(options: IdentityOptions): RequestListener {
  const app = new Hono();
  app.use(honoThreadline(options));
  app.get("/", (c) => {
    page({ name: "Home" });
    return c.json({ anonymousId: c.get("anonymousId") });
  });
  app.post("/signup", async (c) => {
    const body = await c.req.parseBody();
    return c.json({ userId: await createUser(String(body.email)), anonymousId: c.get("anonymousId") });
  });
  app.post("/iso", async (c) => {
    const tag = c.req.query("tag")!;
    await busyThenTrack(tag, c.req.raw.body as unknown as AsyncIterable<unknown>);
    return c.json({ tag, anonymousId: c.get("anonymousId") });
  });
  app.get("/bind", async (c) => {
    await identifyThenTrack(c.req.query("user"));
    return c.json({ anonymousId: c.get("anonymousId") });
  });
  return getRequestListener(app.fetch) as unknown as RequestListener;
}

function fetchApp(options: IdentityOptions): RequestListener {
  const handler = withThreadline(async (request: Request) => {
    const url = new URL(request.url);
    if (request.method === "GET" && url.pathname === "/") {
      page({ name: "Home" });
      return Response.json({ ok: true });
    }
    if (request.method === "POST" && url.pathname === "/signup") {
      const form = new URLSearchParams(await request.text());
      return Response.json({ userId: await createUser(form.get("email") ?? "") });
    }
    if (request.method === "POST" && url.pathname === "/iso") {
      const tag = url.searchParams.get("tag")!;
      await busyThenTrack(tag, request.body as unknown as AsyncIterable<unknown>);
      return Response.json({ tag });
    }
    if (url.pathname === "/bind") {
      await identifyThenTrack(url.searchParams.get("user") ?? undefined);
      return Response.json({});
    }
    return new Response("not found", { status: 404 });
  }, options);
  return toNodeListener(handler);
}

/** Serve the scope test app on `framework` at 127.0.0.1, a free port. */
export function startScopedApp(framework: ScopedFramework, options: IdentityOptions = {}): Promise<RunningApp> {
  switch (framework) {
    case "express5":
      return serve(expressApp(express5, options));
    case "express4":
      return serve(expressApp(express4, options));
    case "koa3":
      return serve(koaApp(Koa3, options));
    case "koa2":
      return serve(koaApp(Koa2, options));
    case "fastify5":
      return fastifyApp(fastify5, options);
    case "fastify4":
      return fastifyApp(fastify4, options);
    case "hono":
      return serve(honoApp(options));
    case "fetch":
      return serve(fetchApp(options));
  }
}
