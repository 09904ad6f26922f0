// The sink: a minimal collector in its own process on 127.0.0.1 (port 0). It accepts
// what each SDK sends, counts the delivered events of the current run, and answers
// 200 at once. Started by run.mjs over IPC: it sends `{ port }` once it listens, and
// exits when its parent goes away (or after MAX_LIFETIME_MS in any case).
//
// Control routes (not used by any SDK):
//   POST /__reset               start a new run: zero every counter
//   GET  /__stats               the current run's counters
//   GET  /__wait?n=N&timeout=ms answers (with the counters) once N events are counted,
//                               or at the timeout with `timedOut: true`
//
// Ingest: any other POST. The body is gunzipped when `Content-Encoding: gzip`, parsed,
// and its events counted: `batch` (Segment, RudderStack, PostHog, threadline, floor),
// `data` (Snowplow's payload_data envelope), else one message.

import http from "node:http";
import zlib from "node:zlib";

const MAX_LIFETIME_MS = 20 * 60 * 1000;

let run;
function resetRun() {
  run = {
    requests: 0,
    events: 0,
    uniqueIds: 0,
    wireBytes: 0,
    jsonBytes: 0,
    gzipRequests: 0,
    badRequests: 0,
    maxEventsPerRequest: 0,
    paths: {},
    firstAt: 0,
    lastAt: 0,
    ids: new Set(),
  };
}
resetRun();

const waiters = new Set();

function stats() {
  const { ids, ...rest } = run;
  return rest;
}

function settleWaiters() {
  for (const w of waiters) {
    if (run.events >= w.n) {
      waiters.delete(w);
      clearTimeout(w.timer);
      send(w.res, 200, JSON.stringify({ ...stats(), timedOut: false }), "application/json");
    }
  }
}

function send(res, status, body, type) {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body) });
  res.end(body);
}

function idOf(m) {
  if (!m || typeof m !== "object") return undefined;
  return m.messageId ?? m.uuid ?? m.eid;
}

function countBody(path, body) {
  let list;
  if (Array.isArray(body?.batch)) list = body.batch;
  else if (Array.isArray(body?.data)) list = body.data;
  else list = [body];
  for (const m of list) {
    const id = idOf(m);
    if (id !== undefined && !run.ids.has(id)) {
      run.ids.add(id);
      run.uniqueIds++;
    }
  }
  run.events += list.length;
  if (list.length > run.maxEventsPerRequest) run.maxEventsPerRequest = list.length;
  run.paths[path] = (run.paths[path] ?? 0) + 1;
}

function responseFor(path) {
  // What each collector answers; none of the SDKs reads more than the status, but a
  // realistic body keeps any parsing they do honest.
  if (path.startsWith("/batch") || path.startsWith("/e") || path.startsWith("/i/")) {
    return ['{"status":1}', "application/json"];
  }
  if (path.includes("com.snowplowanalytics")) return ["ok", "text/plain"];
  return ['{"success":true}', "application/json"];
}

const server = http.createServer((req, res) => {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const path = q === -1 ? url : url.slice(0, q);

  if (path === "/__reset" && req.method === "POST") {
    resetRun();
    req.resume();
    return send(res, 200, "{}", "application/json");
  }
  if (path === "/__stats") {
    req.resume();
    return send(res, 200, JSON.stringify(stats()), "application/json");
  }
  if (path === "/__wait") {
    req.resume();
    const params = new URLSearchParams(q === -1 ? "" : url.slice(q + 1));
    const n = Number(params.get("n") ?? "0");
    const timeout = Math.min(Number(params.get("timeout") ?? "60000"), MAX_LIFETIME_MS);
    const w = { n, res, timer: undefined };
    w.timer = setTimeout(() => {
      waiters.delete(w);
      send(res, 200, JSON.stringify({ ...stats(), timedOut: true }), "application/json");
    }, timeout);
    waiters.add(w);
    settleWaiters();
    return;
  }
  if (req.method !== "POST") {
    req.resume();
    return send(res, 404, '{"error":"not found"}', "application/json");
  }

  const chunks = [];
  let size = 0;
  req.on("data", (c) => {
    chunks.push(c);
    size += c.length;
  });
  req.on("end", () => {
    const now = Date.now();
    if (!run.firstAt) run.firstAt = now;
    run.lastAt = now;
    run.requests++;
    run.wireBytes += size;
    let buf = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
    try {
      if (/gzip/i.test(req.headers["content-encoding"] ?? "")) {
        run.gzipRequests++;
        buf = zlib.gunzipSync(buf);
      }
      run.jsonBytes += buf.length;
      countBody(path, JSON.parse(buf.toString("utf8")));
    } catch {
      run.badRequests++;
      return send(res, 400, '{"error":"bad body"}', "application/json");
    }
    const [body, type] = responseFor(path);
    send(res, 200, body, type);
    settleWaiters();
  });
});

server.keepAliveTimeout = 65_000;
server.headersTimeout = 70_000;
server.requestTimeout = 0;
server.maxRequestsPerSocket = 0;

server.listen({ port: 0, host: "127.0.0.1", backlog: 4096 }, () => {
  const { port } = server.address();
  if (process.send) process.send({ port });
  else console.log(JSON.stringify({ port }));
});

process.on("disconnect", () => process.exit(0));
setTimeout(() => process.exit(0), MAX_LIFETIME_MS);
