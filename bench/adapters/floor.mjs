// The floor: the unavoidable cost. Each call builds the same Segment-shaped message
// (messageId, timestamp, context.library, integrations) a library would; every 100
// messages are JSON.stringify'd once into a batch body. After the burst the bodies
// are POSTed over node:http with a keep-alive Agent, 4 requests in flight.
import http from "node:http";
import { WRITE_KEY } from "../lib/workload.mjs";
import { floorBatches, IN_FLIGHT } from "./floor-batches.mjs";

export const config =
  "hand-written: build the message (type, event, userId, properties, messageId = randomUUID(), ISO timestamp, context.library, integrations), `JSON.stringify({ batch, sentAt })` per 100 messages, then POST the bodies to /v1/batch with a `node:http` Agent `{ keepAlive: true, maxSockets: 4 }` (4 in flight), no gzip.";

export async function create({ host }) {
  const url = new URL(host);
  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const auth = "Basic " + Buffer.from(WRITE_KEY + ":").toString("base64");

  function post(body) {
    return new Promise((resolve, reject) => {
      const req = http.request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          path: "/v1/batch",
          method: "POST",
          headers: {
            "content-type": "application/json",
            "content-length": Buffer.byteLength(body),
            authorization: auth,
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error("status " + res.statusCode))));
        },
      );
      req.on("error", reject);
      req.end(body);
    });
  }

  return floorBatches(post, () => agent.destroy());
}
