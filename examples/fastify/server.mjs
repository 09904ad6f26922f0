// Runs the example: `node examples/fastify/server.mjs` after `npm run build`.
// Events go to THREADLINE_HOST, else the local dev collector (`npx threadline dev`).
import { close, init } from "threadline";
import { createFastifyApp } from "./app.mjs";

init({ host: process.env.THREADLINE_HOST ?? "http://127.0.0.1:4440", writeKey: process.env.THREADLINE_WRITE_KEY });
const app = await createFastifyApp();
const address = await app.listen({ port: Number(process.env.PORT ?? 3002), host: "127.0.0.1" });
console.log(`fastify example on ${address}`);

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, async () => {
    await app.close();
    await close({ timeoutMs: 5000 });
    process.exit(0);
  });
}
