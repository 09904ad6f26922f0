#!/usr/bin/env node
// What the request scope costs a request (issue 14), Express 5, on every Node given:
//   node scope.mjs [--seconds=3] [--rounds=3] [--node24=/path/to/node] [--profile] [--only-first]
//                  [--modes=bare,r1,noscope,scope] (also: empty, nosession and the floors cookies,
//                  als, alscookies; `scope@/path/to/dist` is a mode on another build; see lib/scope-app.mjs)
//                  [--routes=sync,await] [--visitors=returning,first] [--restart] [--warmup=1]
//   THREADLINE_BENCH_R1_DIST=/path/to/round-1/dist makes the "r1" row round 1's middleware as shipped.
// For each Node: the bare routes, round 1's middleware (`scope: false`) and the
// middleware as shipped (scope on), on a sync route and on an awaiting one, for a
// returning visitor (valid `aid`) and a first visit (no cookie). The app runs pinned to
// CPU 1, autocannon to CPU 0 (`taskset`), so the app's CPU time per request is not
// mixed with the load generator's. Modes alternate within each round; figures are
// medians over rounds. Writes .tmp/scope-results.json and prints a Markdown table.
// --profile: also a CPU profile of the app on the first-visit sync route per mode.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { summarizeProfile } from "./lib/profile.mjs";
import { assertReturning, RETURNING_COOKIE, withLiveSession } from "./lib/returning-visitor.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const SECONDS = Number(opt("seconds", 3));
const ROUNDS = Number(opt("rounds", 3));
// Seconds of load before each measurement. One second leaves much of the hot path in V8's
// mid tier (Maglev) on Node 22+ (SCOPE.md, round 5); ten let TurboFan finish, which is what
// a server that has been up for a minute runs.
const WARMUP = Number(opt("warmup", 1));
const CONNECTIONS = 10;
const NODES = [["node" + process.versions.node.split(".")[0], process.execPath]];
if (opt("node24", "")) NODES.push(["node24", opt("node24", "")]);
const MODES = opt("modes", "bare,r1,noscope,scope").split(",");
const ALL_ROUTES = [
  ["sync", "/api/items"],
  ["await", "/api/await"],
];
const ALL_VISITORS = [
  ["returning", RETURNING_COOKIE],
  ["first", undefined],
];
// --only-first: the first visit on the sync route; --routes= / --visitors= pick by name.
const pick = (all, name, dflt) => {
  const names = opt(name, dflt).split(",");
  return all.filter(([key]) => names.includes(key));
};
const ROUTES = args.includes("--only-first") ? ALL_ROUTES.slice(0, 1) : pick(ALL_ROUTES, "routes", "sync,await");
const VISITORS = args.includes("--only-first")
  ? ALL_VISITORS.slice(1)
  : pick(ALL_VISITORS, "visitors", "returning,first");
const AUTOCANNON = path.join(here, "node_modules/autocannon/autocannon.js");
const HAVE_TASKSET = (() => {
  try {
    execFileSync("taskset", ["-c", "0", "true"]);
    return true;
  } catch {
    return false;
  }
})();
const pinned = (cpu, command, argv) =>
  HAVE_TASKSET ? ["taskset", ["-c", String(cpu), command, ...argv]] : [command, argv];

function startApp(nodePath, mode, execArgv = []) {
  const [command, argv] = pinned(1, nodePath, [...execArgv, path.join(here, "lib/scope-app.mjs"), mode]);
  const child = spawn(command, argv, { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${mode} app did not start`)), 15_000);
    child.once("message", ({ port }) => {
      clearTimeout(timer);
      resolve({ child, url: `http://127.0.0.1:${port}` });
    });
    child.once("exit", (code) => reject(new Error(`${mode} app exited with ${code}`)));
  });
}

function usage(child) {
  return new Promise((resolve) => {
    const onMessage = (msg) => {
      if (msg?.type !== "usage") return;
      child.off("message", onMessage);
      resolve(msg.cpu.user + msg.cpu.system);
    };
    child.on("message", onMessage);
    child.send("usage");
  });
}

function load(url, cookie, seconds) {
  const argv = [AUTOCANNON, "-c", String(CONNECTIONS), "-d", String(seconds), "--json", "--no-progress"];
  if (cookie) argv.push("-H", `cookie=${cookie}`);
  argv.push(url);
  const [command, rest] = pinned(0, process.execPath, argv);
  const out = execFileSync(command, rest, {
    encoding: "utf8",
    timeout: (seconds + 20) * 1000,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const result = JSON.parse(out);
  return {
    requests: result.requests.total,
    rps: result.requests.average,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

async function measure(app, url, cookie) {
  const before = await usage(app.child);
  const run = load(url, cookie, SECONDS);
  const after = await usage(app.child);
  return { ...run, cpuUsPerRequest: (after - before) / run.requests };
}

const median = (values) => {
  const sorted = values.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

// --restart: a new app process per measurement. One process's JIT and heap layout can sit
// a few percent off another's for its whole life, so a mode measured in one process
// carries that offset into every round; restarting makes it noise that medians absorb.
const RESTART = args.includes("--restart");

/**
 * Warm-up (JIT, connection pools): every route and visitor once, or only the one about to
 * be measured, with the Cookie header it will be measured with (so the JIT warms the path
 * that is measured, not a session's first write).
 */
async function warmApp(nodePath, mode, only) {
  const app = await startApp(nodePath, mode);
  app.cookies = new Map();
  for (const [, route] of ROUTES)
    for (const [, cookie] of VISITORS) {
      if (only !== undefined && (only.route !== route || only.cookie !== cookie)) continue;
      const live = await withLiveSession(app.url + route, cookie);
      app.cookies.set(`${route} ${cookie}`, live);
      await assertReturning(mode, app.url + route, live);
      load(app.url + route, live, WARMUP);
    }
  return app;
}

/** The measured Cookie header. With --restart the warm-up fetched it a moment ago; a long-lived app needs a fresh one (a session cookie is rewritten after a tenth of its timeout). */
async function liveCookie(app, route, cookie) {
  return RESTART ? app.cookies.get(`${route} ${cookie}`) : withLiveSession(app.url + route, cookie);
}

const results = {};
for (const [nodeName, nodePath] of NODES) {
  const apps = {};
  if (!RESTART) for (const mode of MODES) apps[mode] = await warmApp(nodePath, mode);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [routeName, route] of ROUTES) {
      for (const [visitor, cookie] of VISITORS) {
        for (const mode of round % 2 ? MODES.slice().reverse() : MODES) {
          const app = RESTART ? await warmApp(nodePath, mode, { route, cookie }) : apps[mode];
          const r = await measure(app, app.url + route, await liveCookie(app, route, cookie));
          if (RESTART) app.child.kill();
          const key = `${nodeName} ${routeName} ${visitor} ${mode}`;
          (results[key] ??= []).push(r);
          console.error(
            `${key.padEnd(34)} round ${round + 1}: ${r.rps.toFixed(0)} req/s, ${r.cpuUsPerRequest.toFixed(1)} µs CPU/req${r.non2xx || r.errors ? ` (non2xx ${r.non2xx}, errors ${r.errors})` : ""}`,
          );
        }
      }
    }
  }
  for (const app of Object.values(apps)) app.child.kill();
}

const rows = [];
for (const [nodeName] of NODES) {
  for (const [routeName] of ROUTES) {
    for (const [visitor] of VISITORS) {
      const cell = (mode) => results[`${nodeName} ${routeName} ${visitor} ${mode}`];
      const cpu = (mode) => median(cell(mode).map((r) => r.cpuUsPerRequest));
      const rps = (mode) => median(cell(mode).map((r) => r.rps));
      const bare = cpu("bare");
      // Each round measures every mode back to back, so a round's mode ÷ bare ratio cancels
      // what the machine did in between; the median of those ratios moves less than a ratio of medians.
      const paired = (mode) =>
        median(cell(mode).map((r, round) => r.cpuUsPerRequest / cell("bare")[round].cpuUsPerRequest)) - 1;
      for (const mode of MODES) {
        rows.push({
          node: nodeName,
          route: routeName,
          visitor,
          mode,
          rps: rps(mode),
          rpsVsBare: rps(mode) / rps("bare"),
          cpuUsPerRequest: cpu(mode),
          cpuVsBare: cpu(mode) / bare - 1,
          cpuVsBarePaired: paired(mode),
          capacityVsBare: bare / cpu(mode),
          rounds: cell(mode).map((r) => Number(r.cpuUsPerRequest.toFixed(1))),
        });
      }
    }
  }
}

const LABEL = {
  bare: "bare route",
  empty: "an empty middleware",
  cookies: "a middleware that only writes the two first-visit cookies",
  als: "a middleware that only opens an AsyncLocalStorage scope",
  alscookies: "that scope + the two first-visit cookies",
  nosession: "this middleware + scope, `session: false`",
  r1: process.env.THREADLINE_BENCH_R1_DIST ? "round 1's middleware" : "middleware, `scope: false`",
  noscope: "this middleware, `scope: false`",
  scope: "this middleware + request scope",
};
const pct = (x) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
console.log(
  `\n| Node | route | visitor | app | req/s | vs bare | app CPU µs/req | CPU vs bare | CPU vs bare, per-round pairs | capacity vs bare | CPU per round |`,
);
console.log(`| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |`);
for (const r of rows) {
  console.log(
    `| ${r.node} | ${r.route} | ${r.visitor} | ${LABEL[r.mode] ?? r.mode} | ${r.rps.toFixed(0)} | ${(r.rpsVsBare * 100).toFixed(1)}% | ${r.cpuUsPerRequest.toFixed(1)} | ${r.mode === "bare" ? "–" : pct(r.cpuVsBare)} | ${r.mode === "bare" ? "–" : pct(r.cpuVsBarePaired)} | ${(r.capacityVsBare * 100).toFixed(1)}% | ${r.rounds.join(", ")} |`,
  );
}

const profiles = {};
if (args.includes("--profile")) {
  const dir = path.join(here, ".tmp/scope-profiles");
  fs.mkdirSync(dir, { recursive: true });
  for (const mode of MODES) {
    const app = await startApp(NODES[0][1], mode, [
      "--cpu-prof",
      `--cpu-prof-dir=${dir}`,
      `--cpu-prof-name=first-${mode}.cpuprofile`,
    ]);
    load(app.url + "/api/items", undefined, 1);
    const run = load(app.url + "/api/items", undefined, Math.max(SECONDS, 4));
    await new Promise((resolve) => {
      app.child.once("exit", resolve);
      app.child.kill("SIGTERM");
    });
    profiles[mode] = { requests: run.requests, file: path.join(dir, `first-${mode}.cpuprofile`) };
    const summary = summarizeProfile(profiles[mode].file, path.resolve(here, ".."));
    console.log(`\nprofile, first visit, ${mode} (${run.requests} requests; µs per request by self time):`);
    for (const f of summary.top.slice(0, 20))
      console.log(
        `  ${((f.ms * 1000) / run.requests).toFixed(2).padStart(6)}  ${f.name}  ${f.where}${f.src ? `  (${f.src})` : ""}`,
      );
    console.log("  threadline, inclusive:");
    for (const f of summary.inclusiveLib.slice(0, 12))
      console.log(
        `  ${((f.ms * 1000) / run.requests).toFixed(2).padStart(6)}  ${f.name}  ${f.where}${f.src ? `  (${f.src})` : ""}`,
      );
  }
}

fs.mkdirSync(path.join(here, ".tmp"), { recursive: true });
fs.writeFileSync(
  path.join(here, ".tmp/scope-results.json"),
  JSON.stringify(
    {
      meta: {
        seconds: SECONDS,
        rounds: ROUNDS,
        warmup: WARMUP,
        connections: CONNECTIONS,
        taskset: HAVE_TASKSET,
        nodes: NODES,
      },
      rows,
      profiles,
    },
    null,
    2,
  ),
);
