import { createServer, type RequestListener, type Server } from "node:http";
import { createServer as createTlsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { createRequire } from "node:module";
import express5 from "express";
import Koa3 from "koa";
import { threadline as expressThreadline } from "../../../src/express.js";
import { threadline as koaThreadline } from "../../../src/koa.js";
import type { IdentityOptions } from "../../../src/identity/options.js";
import type { RequestAnalytics } from "../../../src/identity/request-client.js";
import type { SelfSignedCertificate } from "./tls.js";

// The older majors are installed under aliases; their API is the same as far as we use it.
const require = createRequire(import.meta.url);
const express4 = require("express4") as typeof express5;
const Koa2 = require("koa2") as typeof Koa3;

export const FRAMEWORKS = ["express5", "express4", "koa3", "koa2"] as const;
export type Framework = (typeof FRAMEWORKS)[number];

export interface TestAppOptions {
  identity?: IdentityOptions;
  /** Trust X-Forwarded-* from loopback (`trust proxy` / `app.proxy`). */
  trustProxy?: boolean;
  tls?: SelfSignedCertificate;
  /** Mount the middleware twice, as an app and one of its routers might. */
  mountTwice?: boolean;
}

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** What each test route does, written once for all frameworks. */
function routeBody(
  path: string,
  anonymousId: string,
  analytics: RequestAnalytics,
  query: URLSearchParams,
): Record<string, unknown> {
  switch (path) {
    case "/reset": {
      const before = analytics.anonymousId;
      analytics.identify({ userId: "u1" });
      analytics.reset();
      analytics.track({ event: "After Reset" });
      return { before, after: analytics.anonymousId };
    }
    case "/signup":
      analytics.identify({ userId: query.get("user") ?? "u1", traits: { plan: "free" } });
      analytics.track({ event: "Signed Up" });
      return { anonymousId };
    case "/page":
      analytics.page({ name: "Landing" });
      return { anonymousId };
    default:
      return { anonymousId };
  }
}

function expressApp(factory: typeof express5, options: TestAppOptions): RequestListener {
  const app = factory();
  if (options.trustProxy) app.set("trust proxy", "loopback");
  app.use((req, res, next) => {
    if (req.path === "/early-cookie") res.setHeader("Set-Cookie", ["early=1; Path=/", "early2=1; Path=/"]);
    next();
  });
  app.use(expressThreadline(options.identity));
  if (options.mountTwice) app.use(expressThreadline(options.identity));
  app.use((req, res) => {
    if (req.path === "/late-cookie") res.cookie("late", "2", { path: "/" });
    const query = new URLSearchParams(req.originalUrl.split("?")[1] ?? "");
    const body = routeBody(req.path, req.anonymousId, req.analytics, query);
    res.json({ ...body, anonymousId: req.anonymousId, secure: req.secure });
  });
  return app as unknown as RequestListener;
}

function koaApp(factory: typeof Koa3, options: TestAppOptions): RequestListener {
  const app = new factory();
  if (options.trustProxy) app.proxy = true;
  app.use(async (ctx, next) => {
    if (ctx.path === "/early-cookie") ctx.set("Set-Cookie", ["early=1; Path=/", "early2=1; Path=/"]);
    await next();
  });
  app.use(koaThreadline(options.identity));
  if (options.mountTwice) app.use(koaThreadline(options.identity));
  app.use((ctx) => {
    if (ctx.path === "/late-cookie") ctx.cookies.set("late", "2", { path: "/", httpOnly: false, signed: false });
    const body = routeBody(ctx.path, ctx.state.anonymousId, ctx.analytics, new URLSearchParams(ctx.querystring));
    ctx.body = { ...body, anonymousId: ctx.state.anonymousId, secure: ctx.secure };
  });
  return app.callback() as RequestListener;
}

export function listener(framework: Framework, options: TestAppOptions = {}): RequestListener {
  switch (framework) {
    case "express5":
      return expressApp(express5, options);
    case "express4":
      return expressApp(express4, options);
    case "koa3":
      return koaApp(Koa3, options);
    case "koa2":
      return koaApp(Koa2, options);
  }
}

/** Serve a request listener on 127.0.0.1, a free port, HTTP or HTTPS. */
export function serve(handler: RequestListener, tls?: SelfSignedCertificate): Promise<RunningApp> {
  const server: Server =
    tls === undefined ? createServer(handler) : createTlsServer({ key: tls.key, cert: tls.cert }, handler);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `${tls === undefined ? "http" : "https"}://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}

export function startApp(framework: Framework, options: TestAppOptions = {}): Promise<RunningApp> {
  return serve(listener(framework, options), options.tls);
}
