#!/usr/bin/env node
// What the middleware costs a request, counted in instructions rather than timed: the
// Express app of scope.mjs runs under valgrind (cachegrind, no cache simulation) with V8's
// `--predictable`, and a cell's figure is the instructions the app executed per request
// between two runs of different lengths (startup and warm-up cancel out). On a noisy
// machine, where CPU time per request moves ±10–20 % between runs, this moves < 0.5 %;
// it counts user-space work only (not the kernel's, not cache misses), so it complements
// scope.mjs rather than replacing it.
//   node scope-ir.mjs [--modes=bare,empty,als,scope] [--visitors=returning,first]
//                     [--route=sync|await] [--warm=10000] [--window=6000] [--jobs=2] [--connections=1]
//                     [--node=/path/to/node ...] (mode@/path/to/dist as in scope.mjs)
// One connection by default: with several, how many requests one event-loop turn serves
// varies from run to run, and so does the count (±4 % at 4 connections, < 0.2 % at one).
// Needs `valgrind` (apt-get install -y valgrind). Writes .tmp/scope-ir.json and prints a
// Markdown table. `--warm` matters: below ~10 000 requests much of Express and of the
// middleware still runs in V8's mid tier (Maglev), and the figures describe a process's
// first seconds rather than its steady state. Slow: at the defaults a cell is two runs of
// 10 000 and 16 000 requests, ~6 min under valgrind on a 2-core machine.
// Instructions are not time: use the counts to compare two builds on one path (A/B), not
// as a cost's share of a request (bench/SCOPE.md, round 5).
import { execFile, execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { assertReturning, RETURNING_COOKIE, withLiveSession } from "./lib/returning-visitor.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? dflt;
const MODES = opt("modes", "bare,empty,als,scope").split(",");
const VISITORS = opt("visitors", "returning,first").split(",");
const ROUTE = { sync: "/api/items", await: "/api/await" }[opt("route", "sync")];
const WARM = Number(opt("warm", 10_000));
const WINDOW = Number(opt("window", 6000));
const JOBS = Number(opt("jobs", 2));
const CONNECTIONS = Number(opt("connections", 1));
const NODES = args.filter((a) => a.startsWith("--node=")).map((a) => a.slice(7));
if (NODES.length === 0) NODES.push(process.execPath);
const AUTOCANNON = path.join(here, "node_modules/autocannon/autocannon.js");
/** Per run: valgrind runs the app ~50× slower, so give it time, but never forever. */
const RUN_TIMEOUT_MS = 20 * 60 * 1000;

try {
  execFileSync("valgrind", ["--version"], { stdio: "ignore" });
} catch {
  console.error("scope-ir.mjs needs valgrind (apt-get install -y valgrind)");
  process.exit(2);
}

/** The returning visitor's Cookie header for the app at `url`, checked to need no `Set-Cookie` from middleware `mode`. */
async function returningCookie(url, mode) {
  const cookie = await withLiveSession(url, RETURNING_COOKIE);
  await assertReturning(mode, url, cookie);
  return cookie;
}

/** One app process under valgrind answering `requests` requests; resolves with its instruction count. */
async function countRun(nodePath, mode, visitor, requests) {
  const out = path.join(os.tmpdir(), `scope-ir-${process.pid}-${Math.random().toString(36).slice(2)}.out`);
  const child = spawn(
    "valgrind",
    [
      "--tool=cachegrind",
      "--cache-sim=no",
      `--cachegrind-out-file=${out}`,
      nodePath,
      "--predictable",
      path.join(here, "lib/scope-app.mjs"),
      mode,
    ],
    { stdio: ["ignore", "ignore", "pipe", "ipc"] },
  );
  let stderr = "";
  child.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const killer = setTimeout(() => child.kill("SIGKILL"), RUN_TIMEOUT_MS);
  try {
    const { port } = await new Promise((resolve, reject) => {
      child.once("message", resolve);
      child.once("exit", (code) => reject(new Error(`${mode} exited with ${code}: ${stderr}`)));
    });
    const url = `http://127.0.0.1:${port}${ROUTE}`;
    const cookie = visitor === "returning" ? await returningCookie(url, mode) : undefined;
    const argv = [AUTOCANNON, "-c", String(CONNECTIONS), "-a", String(requests), "--json", "--no-progress", "-t", "60"];
    if (cookie) argv.push("-H", `cookie=${cookie}`);
    argv.push(url);
    const result = await new Promise((resolve, reject) =>
      execFile(process.execPath, argv, { encoding: "utf8", timeout: RUN_TIMEOUT_MS }, (err, stdout) =>
        err ? reject(err) : resolve(JSON.parse(stdout)),
      ),
    );
    if (result.non2xx || result.errors) throw new Error(`${mode}: non2xx ${result.non2xx}, errors ${result.errors}`);
    await new Promise((resolve) => {
      child.once("exit", resolve);
      child.kill("SIGTERM");
    });
    const summary = /^summary:\s+(\d+)/m.exec(fs.readFileSync(out, "utf8"));
    if (summary === null) throw new Error(`${mode}: no instruction count in ${out}`);
    // The probes before the load are the same in both runs of a cell, so they cancel in its difference.
    return { instructions: Number(summary[1]), requests: result.requests.total };
  } finally {
    clearTimeout(killer);
    child.kill("SIGKILL");
    fs.rmSync(out, { force: true });
  }
}

async function cell(nodePath, mode, visitor) {
  const short = await countRun(nodePath, mode, visitor, WARM);
  const long = await countRun(nodePath, mode, visitor, WARM + WINDOW);
  return (long.instructions - short.instructions) / (long.requests - short.requests);
}

const cells = [];
for (const nodePath of NODES)
  for (const visitor of VISITORS) for (const mode of MODES) cells.push({ nodePath, visitor, mode });
const queue = cells.slice();
await Promise.all(
  Array.from({ length: JOBS }, async () => {
    for (let c = queue.shift(); c !== undefined; c = queue.shift()) {
      c.perRequest = await cell(c.nodePath, c.mode, c.visitor);
      const version = execFileSync(c.nodePath, ["--version"], { encoding: "utf8" }).trim();
      c.node = version;
      console.error(`${version} ${c.visitor} ${c.mode}: ${Math.round(c.perRequest)} instructions/request`);
    }
  }),
);

const pct = (x) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(1)}%`;
console.log(`\n| Node | visitor | mode | instructions / request | vs bare | vs an empty middleware |`);
console.log(`| --- | --- | --- | ---: | ---: | ---: |`);
for (const c of cells) {
  const base = (mode) => cells.find((o) => o.node === c.node && o.visitor === c.visitor && o.mode === mode);
  const bare = base("bare");
  const empty = base("empty");
  console.log(
    `| ${c.node} | ${c.visitor} | ${c.mode} | ${Math.round(c.perRequest)} | ${bare && c !== bare ? pct(c.perRequest / bare.perRequest - 1) : "–"} | ${empty && c !== empty ? pct(c.perRequest / empty.perRequest - 1) : "–"} |`,
  );
}
fs.mkdirSync(path.join(here, ".tmp"), { recursive: true });
fs.writeFileSync(
  path.join(here, ".tmp/scope-ir.json"),
  JSON.stringify({ route: ROUTE, warm: WARM, window: WINDOW, connections: CONNECTIONS, cells }, null, 2),
);
