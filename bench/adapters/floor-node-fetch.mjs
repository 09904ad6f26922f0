// Diagnostic row, not a target: the floor's exact work, but each batch POSTed with
// node-fetch (the HTTP client threadline's transport uses) over the same keep-alive
// Agent. Its distance from the floor is what the HTTP client alone costs.
// node-fetch resolves from the repository root's node_modules (a threadline dependency).
import http from "node:http";
import { WRITE_KEY } from "../lib/workload.mjs";
import { floorBatches, IN_FLIGHT } from "./floor-batches.mjs";

export const config =
  "diagnostic: the floor's messages and batches, POSTed with node-fetch 3 (`fetch(url, { method, headers, body, agent, compress: false })`, body read to the end) over a `node:http` Agent `{ keepAlive: true, maxSockets: 4 }`, 4 in flight.";

export async function create({ host }) {
  const { default: fetch } = await import("node-fetch");
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const url = host + "/v1/batch";
  const headers = {
    "content-type": "application/json",
    authorization: "Basic " + Buffer.from(WRITE_KEY + ":").toString("base64"),
  };

  async function post(body) {
    const res = await fetch(url, { method: "POST", headers, body, agent, compress: false });
    await res.text();
    if (res.status !== 200) throw new Error("status " + res.status);
  }

  return floorBatches(post, () => agent.destroy());
}
