// Diagnostic row, not a target: the floor's exact work, but each batch POSTed with
// node-fetch (the HTTP client threadline's transport uses) over the same keep-alive
// Agent. Its distance from the floor is what the HTTP client alone costs.
// node-fetch resolves from the repository root's node_modules (a threadline dependency).
import http from "node:http";
import { randomUUID } from "node:crypto";
import { EVENT, WRITE_KEY, userIdFor, propertiesFor } from "../lib/workload.mjs";

export const config = "diagnostic: the floor's messages and batches, POSTed with node-fetch 3 (`fetch(url, { method, headers, body, agent, compress: false })`, body read to the end) over a `node:http` Agent `{ keepAlive: true, maxSockets: 4 }`, 4 in flight.";

const BATCH = 100;
const IN_FLIGHT = 4;

export async function create({ host }) {
  const { default: fetch } = await import("node-fetch");
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const url = host + "/v1/batch";
  const headers = { "content-type": "application/json", authorization: "Basic " + Buffer.from(WRITE_KEY + ":").toString("base64") };
  const library = { name: "floor", version: "0.0.0" };
  let batch = [];
  const bodies = [];

  async function post(body) {
    const res = await fetch(url, { method: "POST", headers, body, agent, compress: false });
    await res.text();
    if (res.status !== 200) throw new Error("status " + res.status);
  }

  return {
    track(i) {
      batch.push({
        type: "track",
        event: EVENT,
        userId: userIdFor(i),
        properties: propertiesFor(i),
        messageId: randomUUID(),
        timestamp: new Date().toISOString(),
        context: { library },
        integrations: {},
      });
      if (batch.length === BATCH) {
        bodies.push(JSON.stringify({ batch, sentAt: new Date().toISOString() }));
        batch = [];
      }
    },
    async finish() {
      if (batch.length) bodies.push(JSON.stringify({ batch, sentAt: new Date().toISOString() }));
      batch = [];
      let next = 0;
      let errors = 0;
      async function worker() {
        while (next < bodies.length) {
          const k = next++;
          const body = bodies[k];
          bodies[k] = undefined;
          await post(body).catch(() => {
            errors++;
          });
        }
      }
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
      agent.destroy();
      return { errors };
    },
  };
}
