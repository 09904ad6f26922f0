// The same small app on every framework threadline adapts: module-level calls only, so
// every id on the events comes from the request scope.
import type { RequestListener } from "node:http";
import { createRequire } from "node:module";
import express5 from "express";
import Koa3 from "koa";
import { page } from "../../../src/default-client.js";
import { threadline as expressThreadline } from "../../../src/express.js";
import { threadline as koaThreadline } from "../../../src/koa.js";
import type { IdentityOptions } from "../../../src/identity/options.js";
import { serve, type RunningApp } from "../../identity/helpers/frameworks.js";
import { busyThenTrack, createUser, identifyThenTrack } from "./service.js";

const require = createRequire(import.meta.url);
const express4 = require("express4") as typeof express5;
const Koa2 = require("koa2") as typeof Koa3;

export const SCOPED_FRAMEWORKS = ["express5", "express4", "koa3", "koa2"] as const;
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
  }
}
