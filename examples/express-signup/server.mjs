// Runs the example: `node examples/express-signup/server.mjs` after `npm run build`.
// Events go to THREADLINE_HOST, else the local dev collector (`npx threadline dev`).
import { Analytics } from "threadline";
import { createSignupApp } from "./app.mjs";

const analytics = new Analytics({
  host: process.env.THREADLINE_HOST ?? "http://127.0.0.1:4440",
  writeKey: process.env.THREADLINE_WRITE_KEY,
  flushAt: 1, // a demo wants to see each event at once
});
const port = Number(process.env.PORT ?? 3000);
const app = createSignupApp({ analytics, identity: { mirror: ["segment"] } });
const server = app.listen(port, "127.0.0.1", () => {
  console.log(`express-signup example on http://127.0.0.1:${server.address().port}`);
});

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    server.close();
    await analytics.close({ timeoutMs: 5000 });
    process.exit(0);
  });
}
