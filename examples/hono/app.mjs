// The signup journey on Hono: anonymous page views, then a signup whose service
// function calls the module-level identify and track, all on the browser's `aid`.
import { Hono } from "hono";
import { threadline } from "threadline/hono";
import { page } from "threadline";
import { createUser } from "./users.mjs";

/**
 * Builds the example app; serve `app.fetch` (the tests and server.mjs use @hono/node-server).
 * @param {{ identity?: import("threadline/hono").IdentityOptions }} [options]
 */
export function createHonoApp({ identity = {} } = {}) {
  /** @type {Hono<{ Variables: import("threadline/hono").ThreadlineVariables }>} */
  const app = new Hono();
  app.use(threadline(identity));

  app.get("/", (c) => {
    page({ name: "Home" });
    return c.json({ page: "Home" });
  });
  app.get("/pricing", (c) => {
    c.get("analytics").page({ name: "Pricing" }); // the request-scoped client works as well
    return c.json({ page: "Pricing" });
  });
  app.post("/signup", async (c) => {
    const body = await c.req.parseBody();
    const email = String(body.email ?? "")
      .trim()
      .toLowerCase();
    if (!email.includes("@")) return c.json({ error: "email required" }, 400);
    const userId = await createUser(email);
    return c.json({ userId, anonymousId: c.get("anonymousId") });
  });
  return app;
}
