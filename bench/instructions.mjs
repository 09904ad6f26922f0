#!/usr/bin/env node
// The middleware's cost per request in instructions, not seconds (issue 14):
//   node instructions.mjs [--n=1000] [--warm=1500] [--node=/path/to/node] [--modes=bare,noscope,scope]
//                         [--routes=sync,await] [--visitors=returning,first] [--parallel=2]
// Each mode's Express 5 app (lib/scope-app.mjs) runs under `valgrind --tool=callgrind`,
// which counts the instructions the app's process executes (every thread: JIT, GC, libuv).
// A driver outside valgrind warms every route × visitor cell, then for each cell zeroes
// the counters (`callgrind_control -z`), sends `n` requests on 4 keep-alive connections
// and dumps the count. Why instructions: on this shared VM the same loop's CPU time moves
// by ±30 % from run to run, and an HTTP bench's by ±15 % between rounds; an instruction
// count is the same within ~1 % whatever else the machine is doing.
// What it leaves out: kernel time (the socket syscalls), which is the same for every mode.
// So "vs bare" here is the middleware's share of the app's *user-space* work — an upper
// bound on its share of the app's CPU time, and so a conservative check of the
// requests/s budget of a CPU-bound server (req/s ∝ 1 / CPU per request).
// Writes .tmp/instructions-<node>.json and prints a Markdown table.
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const N = Number(opt("n", 1000));
const WARM = Number(opt("warm", 1500));
const NODE = opt("node", process.execPath);
const MODES = opt("modes", "bare,noscope,scope").split(",");
const PARALLEL = Number(opt("parallel", 2));
const ROUTE_PATHS = { sync: "/api/items", await: "/api/await" };
const ROUTES = opt("routes", "sync,await").split(",");
const VISITORS = opt("visitors", "returning,first").split(",");
const RETURNING_AID = "3f1c2b9e-8d7a-4c6b-9a5e-1f2d3c4b5a69";
// One connection: every request is one turn of the event loop in every mode (with more,
// a slower mode would batch more requests per epoll wake-up and look cheaper per request).
const CONNECTIONS = 1;
const REPEATS = Number(opt("repeats", 2));
// Under valgrind a request takes ~10 ms; a whole mode ~2 minutes.
const MODE_TIMEOUT_MS = 20 * 60 * 1000;

const nodeVersion = execFileSync(NODE, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
const nodeName = `node${nodeVersion.split(".")[0]}`;
const outDir = path.join(here, ".tmp/instructions", nodeName);
fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

function get(agent, port, urlPath, cookie) {
  return new Promise((resolve, reject) => {
    const req = http.get(
      { host: "127.0.0.1", port, path: urlPath, agent, headers: cookie ? { cookie } : {} },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res));
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer to ${urlPath} in 30 s`)));
    req.on("error", reject);
  });
}

async function send(agent, port, n, urlPath, cookie) {
  let left = n;
  let failed = 0;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async () => {
      while (left-- > 0) if ((await get(agent, port, urlPath, cookie)).statusCode !== 200) failed++;
    }),
  );
  if (failed > 0) throw new Error(`${failed} of ${n} requests to ${urlPath} failed`);
}

/** The returning visitor's Cookie header: `aid` plus the live session cookie the app writes for it. */
async function returningCookie(port) {
  const res = await get(false, port, "/api/items", `aid=${RETURNING_AID}`);
  const session = (res.headers["set-cookie"] ?? []).find((line) => line.startsWith("aid_session="));
  return `aid=${RETURNING_AID}; theme=dark${session ? `; ${session.split(";")[0]}` : `; aid_session=${RETURNING_AID}.1.0.0..x`}`;
}

function dumps(mode) {
  return fs.readdirSync(outDir).filter((name) => name.startsWith(`${mode}.`) && /\.\d+\.\d+$/.test(name));
}

async function countOf(mode, before) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const fresh = dumps(mode).filter((name) => !before.includes(name));
    if (fresh.length === 1) {
      const text = fs.readFileSync(path.join(outDir, fresh[0]), "utf8");
      const total = /^(?:summary|totals): (\d+)/m.exec(text);
      if (total) return Number(total[1]);
    }
    if (Date.now() > deadline) throw new Error(`no callgrind dump for ${mode}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function measureMode(mode) {
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      `--callgrind-out-file=${path.join(outDir, `${mode}.%p`)}`,
      NODE,
      path.join(here, "lib/scope-app.mjs"),
      mode,
    ],
    { stdio: ["ignore", "ignore", "pipe", "ipc"], cwd: here },
  );
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr = (stderr + chunk).slice(-4000)));
  const killer = setTimeout(() => child.kill("SIGKILL"), MODE_TIMEOUT_MS);
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    const port = await new Promise((resolve, reject) => {
      child.once("message", (msg) => resolve(msg.port));
      child.once("exit", (code) => reject(new Error(`${mode} app exited with ${code}: ${stderr}`)));
    });
    const cells = [];
    for (const route of ROUTES) for (const visitor of VISITORS) cells.push({ route, visitor });
    const cookieFor = async (visitor) => (visitor === "first" ? undefined : await returningCookie(port));
    // Warm-up: every cell, so the JIT has seen each path before any is counted.
    for (const cell of cells) await send(agent, port, WARM, ROUTE_PATHS[cell.route], await cookieFor(cell.visitor));
    const results = {};
    for (let repeat = 0; repeat < REPEATS; repeat++)
      for (const cell of cells) {
        const cookie = await cookieFor(cell.visitor);
        await send(agent, port, 50, ROUTE_PATHS[cell.route], cookie);
          const before = dumps(mode);
        execFileSync("callgrind_control", ["-z", String(child.pid)], { stdio: "ignore", timeout: 60_000 });
        await send(agent, port, N, ROUTE_PATHS[cell.route], cookie);
        execFileSync("callgrind_control", [`--dump=${cell.route}-${cell.visitor}`, String(child.pid)], {
          stdio: "ignore",
          timeout: 60_000,
        });
        const perRequest = (await countOf(mode, before)) / N;
        (results[`${cell.route} ${cell.visitor}`] ??= []).push(perRequest);
        console.error(
          `${nodeName} ${mode} ${cell.route} ${cell.visitor}: ${Math.round(perRequest)} instructions/request`,
        );
      }
    return results;
  } finally {
    clearTimeout(killer);
    agent.destroy();
    child.kill();
  }
}

const byMode = {};
const queue = MODES.slice();
await Promise.all(
  Array.from({ length: Math.min(PARALLEL, MODES.length) }, async () => {
    while (queue.length > 0) {
      const mode = queue.shift();
      byMode[mode] = await measureMode(mode);
    }
  }),
);

const LABEL = {
  bare: "bare route",
  empty: "an empty middleware",
  noscope: "middleware, `scope: false`",
  scope: "middleware + request scope (as shipped)",
  nosession: "middleware + scope, `session: false`",
};
// The least of a cell's repeats: what varies between repeats (a scavenge more or less in
// the window, a late JIT tier-up) only ever adds instructions.
const least = (values) => Math.min(...values);
const rows = [];
console.log(
  `\n${nodeName} (${nodeVersion}), ${N} requests per window after ${WARM} warm-up per cell, ${REPEATS} windows per cell; user-space instructions per request (least window):\n`,
);
console.log("| route | visitor | app | instructions/req | vs bare | capacity vs bare | windows |");
console.log("| --- | --- | --- | ---: | ---: | ---: | --- |");
for (const route of ROUTES) {
  for (const visitor of VISITORS) {
    const key = `${route} ${visitor}`;
    const bare = byMode.bare === undefined ? undefined : least(byMode.bare[key]);
    for (const mode of MODES) {
      const windows = byMode[mode][key];
      const value = least(windows);
      const vs = bare === undefined || mode === "bare" ? undefined : value / bare - 1;
      rows.push({ node: nodeName, route, visitor, mode, instructions: value, windows, vsBare: vs });
      const cells = [
        route,
        visitor,
        LABEL[mode] ?? mode,
        Math.round(value).toLocaleString("en"),
        vs === undefined ? "–" : `${vs >= 0 ? "+" : ""}${(vs * 100).toFixed(1)}%`,
        vs === undefined ? "–" : `${((1 / (1 + vs)) * 100).toFixed(1)}%`,
        windows.map((w) => `${Math.round(w / 1000)}k`).join(", "),
      ];
      console.log(`| ${cells.join(" | ")} |`);
    }
  }
}
fs.writeFileSync(
  path.join(here, `.tmp/instructions-${nodeName}.json`),
  JSON.stringify({ nodeVersion, N, WARM, REPEATS, rows }, null, 2),
);
