// The CPU profiles a full bench run takes: one threadline burst, and the middleware app
// under load (returning visitor, first visit, and with one track).
import fs from "node:fs";
import path from "node:path";
import { autocannonRun, RETURNING } from "./middleware-section.mjs";
import { startServer } from "./procs.mjs";
import { categorizeAppProfile, summarizeProfile } from "./profile.mjs";
import { runSdk } from "./sdk-section.mjs";
import { here, root } from "./settings.mjs";

function freshDir(name) {
  const dir = path.join(here, ".tmp", name);
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const profileIn = (dir) => fs.readdirSync(dir).find((f) => f.endsWith(".cpuprofile"));

export async function profileSection(sink, s) {
  if (!s.haveCore) return null;
  const dir = freshDir("prof");
  const r = await runSdk(sink, "threadline", s.N, s.RUN_DEADLINE_MS, ["--cpu-prof", `--cpu-prof-dir=${dir}`]);
  const file = profileIn(dir);
  if (!file) return { run: r, error: "no profile written" };
  return { run: r, file: path.relative(here, path.join(dir, file)), ...summarizeProfile(path.join(dir, file), root) };
}

/** CPU profiles of the middleware app under load, one per mode. */
export async function profileMiddleware(sink, s) {
  if (!s.haveExpress) return null;
  const out = {};
  for (const [mode, headers] of [
    ["mw", RETURNING],
    ["mw-first", {}],
    ["mwtrack", RETURNING],
  ]) {
    const appMode = mode === "mw-first" ? "mw" : mode;
    const dir = freshDir(`prof-${mode}`);
    const execArgv = ["--cpu-prof", `--cpu-prof-dir=${dir}`];
    const app = await startServer(path.join(here, "lib/app.mjs"), [appMode, sink.url], { execArgv });
    let total;
    try {
      total = (await autocannonRun(`${app.url}/api/items`, headers, s.MW_SECONDS, s.MW_CONNECTIONS)).total;
    } finally {
      await app.stop();
    }
    const file = profileIn(dir);
    if (file) {
      const full = path.join(dir, file);
      const perRequest = categorizeAppProfile(full, total);
      out[mode] = { file: path.relative(here, full), requests: total, perRequest, ...summarizeProfile(full, root) };
    }
  }
  return out;
}
