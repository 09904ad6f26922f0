// Runs the example: `node examples/fetch/server.mjs` after `npm run build`, on plain
// node:http through ./node-bridge.mjs. In Next.js, `export const POST = createHandler()`.
// Events go to THREADLINE_HOST, else the local dev collector (`npx threadline dev`).
import { createServer } from "node:http";
import { close, init } from "threadline";
import { createHandler } from "./handler.mjs";
import { toNodeListener } from "./node-bridge.mjs";

init({ host: process.env.THREADLINE_HOST ?? "http://127.0.0.1:4440", writeKey: process.env.THREADLINE_WRITE_KEY });
const server = createServer(toNodeListener(createHandler())).listen(
  Number(process.env.PORT ?? 3004),
  "127.0.0.1",
  () => {
    console.log(`fetch example on http://127.0.0.1:${server.address().port}`);
  },
);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    server.close();
    await close({ timeoutMs: 5000 });
    process.exit(0);
  });
}
