// The signup journey on Koa, kept small: anonymous pages, then a signup that
// identifies the visitor. Koa has no router built in, so routes are a switch.
import Koa from "koa";
import { threadline } from "threadline/koa";

const page = (title, body) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body>${body}</body></html>`;

/** Reads a small urlencoded form body (a real app would use a body parser). */
async function readForm(ctx, limit = 10_000) {
  let text = "";
  for await (const chunk of ctx.req) {
    text += chunk;
    if (text.length > limit) ctx.throw(413, "form too large");
  }
  return new URLSearchParams(text);
}

/**
 * Builds the example app.
 * @param {object} options
 * @param {import("threadline").Analytics} options.analytics the client server events go to
 * @param {object} [options.identity] extra options for the threadline middleware
 */
export function createKoaApp({ analytics, identity = {} }) {
  const app = new Koa();
  let nextUser = 1;

  app.use(threadline({ analytics, ...identity }));
  app.use(async (ctx) => {
    const route = `${ctx.method} ${ctx.path}`;
    if (route === "GET /" || route === "GET /pricing") {
      const name = ctx.path === "/" ? "Home" : "Pricing";
      ctx.analytics.page({ name });
      ctx.type = "html";
      ctx.body = page(name, `<h1>${name}</h1><a href="/signup">Sign up</a>`);
    } else if (route === "GET /signup") {
      ctx.analytics.page({ name: "Sign up" });
      ctx.type = "html";
      ctx.body = page(
        "Sign up",
        `<form method="post" action="/signup"><input name="email" type="email"><button>Create account</button></form>`,
      );
    } else if (route === "POST /signup") {
      const email = ((await readForm(ctx)).get("email") ?? "").trim().toLowerCase();
      if (!email.includes("@")) ctx.throw(400, "an email is needed");
      const userId = `user_${nextUser++}`;
      // Identify on signup, then track what caused it; both carry ctx.state.anonymousId.
      ctx.analytics.identify({ userId, traits: { email } });
      ctx.analytics.track({ event: "Signed Up", properties: { method: "email" } });
      ctx.body = { userId, anonymousId: ctx.state.anonymousId };
    } else {
      ctx.status = 404;
    }
  });
  return app;
}
