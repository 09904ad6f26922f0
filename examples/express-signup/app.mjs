// The signup journey, server side: anonymous pages, then a signup that identifies the
// visitor and tracks what caused it. Every server event carries the browser's `aid`,
// so the pages before signup stitch to the user after it.
import express from "express";
import { threadline } from "threadline/express";

const escapeHtml = (text) =>
  String(text).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

function layout(title, body, headHtml) {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>${headHtml}</head>
<body>
<nav><a id="home" href="/">Home</a> · <a id="pricing" href="/pricing">Pricing</a> · <a id="signup" href="/signup">Sign up</a></nav>
<main>${body}</main>
<p>Your anonymous id, as page script reads it: <code id="aid"></code></p>
<script>
  // The aid cookie is readable by page script (not HttpOnly) so browser SDKs can share it.
  var m = document.cookie.match(/(?:^|;\\s*)aid=([^;]*)/);
  document.getElementById("aid").textContent = m ? m[1] : "";
</script>
</body></html>`;
}

/**
 * Builds the example app.
 * @param {object} options
 * @param {import("threadline").Analytics} options.analytics the client server events go to
 * @param {object} [options.identity] extra options for the threadline middleware (e.g. `mirror: ["segment"]`)
 * @param {string} [options.headHtml] HTML put in every page's <head> (e.g. a browser SDK's script)
 */
export function createSignupApp({ analytics, identity = {}, headHtml = "" }) {
  const app = express();
  const users = new Map(); // email -> userId; a real app has a database
  let nextUser = 1;

  app.use(threadline({ analytics, ...identity }));
  app.use(express.urlencoded({ extended: false, limit: "10kb" }));

  app.get("/", (req, res) => {
    req.analytics.page({ name: "Home", userId: readSession(req) });
    res.type("html").send(layout("Home", "<h1>Welcome</h1>", headHtml));
  });

  app.get("/pricing", (req, res) => {
    req.analytics.page({ name: "Pricing", userId: readSession(req) });
    res.type("html").send(layout("Pricing", "<h1>Pricing</h1><p>Free while in beta.</p>", headHtml));
  });

  app.get("/signup", (req, res) => {
    req.analytics.page({ name: "Sign up", userId: readSession(req) });
    const form = `<h1>Sign up</h1>
<form method="post" action="/signup">
  <input id="email" name="email" type="email" required>
  <button id="submit" type="submit">Create account</button>
</form>`;
    res.type("html").send(layout("Sign up", form, headHtml));
  });

  app.post("/signup", (req, res) => {
    const email = String(req.body?.email ?? "")
      .trim()
      .toLowerCase();
    if (!email.includes("@")) return void res.status(400).type("text").send("an email is needed");
    const userId = users.get(email) ?? `user_${nextUser++}`;
    users.set(email, userId);
    // Identify on signup (and on login), then track what caused it: both carry the
    // visitor's anonymousId, which joins the anonymous pages above to this user.
    req.analytics.identify({ userId, traits: { email } });
    req.analytics.track({ event: "Signed Up", properties: { method: "email" } });
    // The app's own session cookie; the middleware's aid cookie sits beside it.
    res.cookie("session", userId, { httpOnly: true, sameSite: "lax", path: "/" });
    res.redirect(303, "/welcome");
  });

  app.get("/welcome", (req, res) => {
    const userId = readSession(req);
    req.analytics.page({ name: "Welcome", userId });
    res
      .type("html")
      .send(layout("Welcome", `<h1 id="welcome">Welcome, ${escapeHtml(userId ?? "stranger")}</h1>`, headHtml));
  });

  app.post("/logout", (req, res) => {
    // Keep the anonymous id on logout (the stitching recipe wants it); a shared
    // device would call req.analytics.reset() here.
    res.clearCookie("session", { path: "/" });
    res.redirect(303, "/");
  });

  return app;
}

function readSession(req) {
  const match = /(?:^|;\s*)session=([A-Za-z0-9_]+)/.exec(req.headers.cookie ?? "");
  return match?.[1];
}
