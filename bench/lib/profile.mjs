// Reads a V8 .cpuprofile (node --cpu-prof) and sums self time per function, and
// inclusive time for the library's own functions, so the report can say where the
// time goes. `node lib/profile.mjs FILE.cpuprofile` prints the same.
import fs from "node:fs";
import path from "node:path";

function listSources(dir) {
  const out = [];
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...listSources(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out;
}

/** Best guess of the source file that defines `name` (dist has no source maps). */
function sourceIndex(root) {
  const files = listSources(path.join(root, "src")).map((f) => [f, fs.readFileSync(f, "utf8")]);
  const cache = new Map();
  return (name) => {
    if (!name || name.startsWith("(") || name.length < 3) return undefined;
    if (cache.has(name)) return cache.get(name);
    const esc = name.replace(/[$]/g, "\\$");
    const re = new RegExp(
      `(function\\s+${esc}\\s*[<(])|(^\\s*(?:(?:public|private|protected|static|async|override|readonly|get|set)\\s+)*${esc}\\s*[<(])|((?:const|let)\\s+${esc}\\s*=)|(class\\s+${esc}\\b)`,
      "m",
    );
    let hit;
    for (const [f, text] of files) {
      const m = re.exec(text);
      if (m) {
        const line = text.slice(0, m.index).split("\n").length;
        hit = `${path.relative(root, f)}:${line}`;
        break;
      }
    }
    cache.set(name, hit);
    return hit;
  };
}

export function summarizeProfile(file, root) {
  const prof = JSON.parse(fs.readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map();
  let totalUs = 0;
  for (let i = 0; i < prof.samples.length; i++) {
    const dt = prof.timeDeltas[i] ?? 0;
    totalUs += dt;
    selfUs.set(prof.samples[i], (selfUs.get(prof.samples[i]) ?? 0) + dt);
  }
  const where = (cf) => {
    const url = cf.url ? cf.url.replace(/^file:\/\//, "") : "";
    const rel = url
      ? url.startsWith(root)
        ? path.relative(root, url)
        : url.replace(/^.*node_modules\//, "node_modules/")
      : "";
    return rel ? `${rel}:${cf.lineNumber + 1}` : "(native)";
  };
  const keyOf = (cf) => `${cf.functionName || "(anonymous)"}\u0000${where(cf)}`;

  const self = new Map();
  const incl = new Map();
  for (const [id, us] of selfUs) {
    const n = byId.get(id);
    const k = keyOf(n.callFrame);
    self.set(k, (self.get(k) ?? 0) + us);
    // inclusive: every distinct function on the stack gets the sample once
    const seen = new Set();
    for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
      const kk = keyOf(byId.get(cur).callFrame);
      if (seen.has(kk)) continue;
      seen.add(kk);
      incl.set(kk, (incl.get(kk) ?? 0) + us);
    }
  }
  const src = sourceIndex(root);
  const rows = (m) =>
    [...m.entries()]
      .map(([k, us]) => {
        const [name, w] = k.split("\u0000");
        return {
          name,
          where: w,
          ms: us / 1000,
          pct: (100 * us) / totalUs,
          src: w.startsWith("dist/") ? src(name) : undefined,
        };
      })
      .sort((a, b) => b.ms - a.ms);
  const byFile = new Map();
  for (const [k, us] of self) {
    const w = k.split("\u0000")[1].replace(/:\d+$/, "");
    byFile.set(w, (byFile.get(w) ?? 0) + us);
  }
  return {
    totalMs: totalUs / 1000,
    top: rows(self).slice(0, 40),
    inclusiveLib: rows(incl)
      .filter((r) => r.where.startsWith("dist/"))
      .slice(0, 30),
    byFile: [...byFile.entries()]
      .map(([w, us]) => ({ where: w, ms: us / 1000, pct: (100 * us) / totalUs }))
      .sort((a, b) => b.ms - a.ms)
      .slice(0, 20),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");
  const s = summarizeProfile(process.argv[2], root);
  console.log(`total ${s.totalMs.toFixed(0)} ms sampled\n-- self time --`);
  for (const r of s.top.slice(0, 30))
    console.log(
      `${r.pct.toFixed(1).padStart(5)}% ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}  ${r.where}${r.src ? `  (${r.src})` : ""}`,
    );
  console.log("-- inclusive, library functions --");
  for (const r of s.inclusiveLib)
    console.log(
      `${r.pct.toFixed(1).padStart(5)}% ${r.ms.toFixed(0).padStart(6)} ms  ${r.name}  ${r.where}${r.src ? `  (${r.src})` : ""}`,
    );
  console.log("-- self time by file --");
  for (const r of s.byFile)
    console.log(`${r.pct.toFixed(1).padStart(5)}% ${r.ms.toFixed(0).padStart(6)} ms  ${r.where}`);
}

const DELIVERY_FUNCS = new Set([
  "post",
  "deliverBatch",
  "startBatch",
  "settleBatch",
  "pump",
  "runScheduledPump",
  "loadFetch",
  "loadPRetry",
]);
const ENQUEUE_FUNCS = new Set(["buildMessage", "accept", "enqueue", "findProblem", "visit"]);
const REQUEST_CLIENT_FUNCS = new Set(["buildRequestContext", "requestContext", "fill", "send", "mergeContext"]);
const MIDDLEWARE_FUNCS = new Set([
  "threadlineIdentity",
  "begin",
  "resolveAnonymousId",
  "parseCookieHeader",
  "cookieLines",
  "appendSetCookie",
]);

/**
 * Splits a profile of the middleware app into where each request's CPU goes (µs per
 * request): the first recognised frame from the leaf up decides, so the middleware's
 * own share excludes the rest of the route it calls through `next()`.
 */
export function categorizeAppProfile(file, requests) {
  const prof = JSON.parse(fs.readFileSync(file, "utf8"));
  const byId = new Map(prof.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const cat = new Map();
  const add = (k, us) => cat.set(k, (cat.get(k) ?? 0) + us);
  for (let i = 0; i < prof.samples.length; i++) {
    const id = prof.samples[i];
    const us = prof.timeDeltas[i] ?? 0;
    const leaf = byId.get(id).callFrame;
    if (leaf.functionName === "(idle)") continue;
    if (leaf.functionName === "(garbage collector)") {
      add("garbage collector", us);
      continue;
    }
    let k;
    let sawLib = false;
    for (let c = id; c !== undefined; c = parent.get(c)) {
      const cf = byId.get(c).callFrame;
      const u = cf.url;
      const lib = u.includes("/dist/");
      if (lib) sawLib = true;
      if (
        u.includes("node-fetch") ||
        u.includes("p-retry") ||
        (lib && DELIVERY_FUNCS.has(cf.functionName)) ||
        (cf.functionName === "socketOnData" && u.includes("_http_client"))
      ) {
        k = "delivery to the collector (batcher, transport/node-fetch, p-retry, http client)";
        break;
      }
      if (lib && ENQUEUE_FUNCS.has(cf.functionName)) {
        k = "client enqueue (buildMessage: validate, walk, stringify; queue)";
        break;
      }
      if (lib && REQUEST_CLIENT_FUNCS.has(cf.functionName)) {
        k = "request-scoped call (RequestClient.fill, buildRequestContext)";
        break;
      }
      if (lib && MIDDLEWARE_FUNCS.has(cf.functionName)) {
        k = "middleware itself (threadlineIdentity → IdentityCore.begin)";
        break;
      }
      if (u.includes("node_modules/router") || u.includes("node_modules/express") || u.includes("bench/lib/app.mjs")) {
        k = "Express + the route";
        break;
      }
    }
    add(k ?? (sawLib ? "threadline, other functions (callbacks, timers)" : "Node http server, timers, other"), us);
  }
  return [...cat.entries()]
    .map(([what, us]) => ({ what, usPerRequest: us / requests }))
    .sort((a, b) => b.usPerRequest - a.usPerRequest);
}
