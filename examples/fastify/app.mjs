// The signup journey on Fastify: anonymous page views, then a signup whose service
// function calls the module-level identify and track, all on the browser's `aid`.
import Fastify from "fastify";
import threadline from "threadline/fastify";
import { page } from "threadline";
import { createUser } from "./users.mjs";

/**
 * Builds the example app (not yet listening).
 * @param {{ identity?: import("threadline/fastify").IdentityOptions }} [options]
 */
export async function createFastifyApp({ identity = {} } = {}) {
  const app = Fastify();
  app.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string" }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );
  await app.register(threadline, identity);

  app.get("/", async () => {
    page({ name: "Home" });
    return { page: "Home" };
  });
  app.get("/pricing", async (request) => {
    request.analytics.page({ name: "Pricing" }); // the request-scoped client works as well
    return { page: "Pricing" };
  });
  app.post("/signup", async (request, reply) => {
    const email = String(request.body?.email ?? "")
      .trim()
      .toLowerCase();
    if (!email.includes("@")) return reply.code(400).send({ error: "email required" });
    const userId = await createUser(email);
    return { userId, anonymousId: request.anonymousId };
  });
  return app;
}
