// Runs the example: `node examples/hono/server.mjs` after `npm run build` (needs @hono/node-server).
// Events go to THREADLINE_HOST, else the local dev collector (`npx threadline dev`).
import { serve } from "@hono/node-server";
import { close, init } from "threadline";
import { createHonoApp } from "./app.mjs";

init({ host: process.env.THREADLINE_HOST ?? "http://127.0.0.1:4440", writeKey: process.env.THREADLINE_WRITE_KEY });
const server = serve(
  { fetch: createHonoApp().fetch, port: Number(process.env.PORT ?? 3003), hostname: "127.0.0.1" },
  (info) => {
    console.log(`hono example on http://127.0.0.1:${info.port}`);
  },
);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    server.close();
    await close({ timeoutMs: 5000 });
    process.exit(0);
  });
}
