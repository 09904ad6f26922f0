// The signup journey as one Web-standard handler, `(request: Request) => Response`: the
// shape of a Next.js route handler on the Node runtime. withThreadline() gives it the
// visitor's id, the request scope and the Set-Cookie lines.
import { page } from "threadline";
import { analyticsFor, withThreadline } from "threadline/fetch";
import { createUser } from "./users.mjs";

/**
 * Builds the wrapped handler.
 * @param {{ identity?: import("threadline/fetch").FetchOptions }} [options]
 */
export function createHandler({ identity = {} } = {}) {
  return withThreadline(
    async (request) => {
      const { pathname } = new URL(request.url);
      if (request.method === "GET" && pathname === "/") {
        page({ name: "Home" });
        return Response.json({ page: "Home" });
      }
      if (request.method === "GET" && pathname === "/pricing") {
        analyticsFor(request).page({ name: "Pricing" }); // the request-scoped client works as well
        return Response.json({ page: "Pricing" });
      }
      if (request.method === "POST" && pathname === "/signup") {
        const form = await request.formData();
        const email = String(form.get("email") ?? "")
          .trim()
          .toLowerCase();
        if (!email.includes("@")) return Response.json({ error: "email required" }, { status: 400 });
        const userId = await createUser(email);
        return Response.json({ userId, anonymousId: analyticsFor(request).anonymousId });
      }
      return new Response("Not found", { status: 404 });
    },
    { clientIp: (_request, info) => info?.ip, ...identity },
  );
}
