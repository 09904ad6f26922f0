// A job worker in its own process: gets a captured context as JSON text over IPC, runs
// the job in withContext, tracks, flushes, says done.
import { flush, init, track } from "../../../src/default-client.js";
import { withContext } from "../../../src/scope.js";

const guard = setTimeout(() => process.exit(3), 10_000);
process.once("message", (payload: { host: string; job: string }) => {
  const job = JSON.parse(payload.job) as { email: string; threadline: Parameters<typeof withContext>[0] };
  init({ host: payload.host, flushInterval: 10 });
  void withContext(job.threadline, async () => {
    await new Promise((resolve) => setTimeout(resolve, 5));
    track({ event: "Welcome Email Sent", properties: { to: job.email } });
  })
    .then(() => flush())
    .then((result) => {
      clearTimeout(guard);
      process.send!({ delivered: result.delivered }, () => process.exit(0));
    });
});
