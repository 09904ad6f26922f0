// run.mjs's command line, read once into one settings object the sections share.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const root = path.resolve(here, "..");

export function readSettings(args = process.argv.slice(2)) {
  const flag = (name) => args.includes(`--${name}`);
  const opt = (name, dflt) => {
    const hit = args.find((a) => a.startsWith(`--${name}=`));
    return hit ? hit.slice(name.length + 3) : dflt;
  };
  const quick = flag("quick");
  // THREADLINE_BENCH_DIST only checks the harness's behaviour without a build.
  const dist = process.env.THREADLINE_BENCH_DIST ?? path.join(root, "dist");
  const haveCore = fs.existsSync(path.join(dist, "index.js"));
  const only = opt("only", "") ? new Set(opt("only", "").split(",")) : null;
  return {
    flag,
    opt,
    quick,
    check: flag("check"),
    N: Number(opt("n", quick ? 10_000 : 100_000)),
    RUNS: Number(opt("runs", quick ? 1 : 3)),
    // The rows that take a second or two (floor, threadline) get more runs: their ratios
    // are the tight budgets.
    CHEAP_RUNS: Number(opt("cheap-runs", 5)),
    RUN_DEADLINE_MS: Number(opt("deadline", quick ? 20_000 : 60_000)),
    MW_SECONDS: Number(opt("mw-seconds", quick ? 2 : 5)),
    MW_ROUNDS: Number(opt("mw-rounds", quick ? 1 : 3)),
    MW_CONNECTIONS: 10,
    RUDDER_ATTEMPT_MS: quick ? 8_000 : 20_000,
    RUDDER_PROBES: quick ? [1000] : [1000, 2000],
    ONLY: only,
    BENCH_DEADLINE_MS: 9.5 * 60 * 1000,
    haveCore,
    haveExpress: haveCore && fs.existsSync(path.join(dist, "express.js")),
    started: Date.now(),
  };
}

export const SDKS = [
  { id: "floor", label: "floor (stringify + keep-alive POST)", pkg: null },
  { id: "floor-node-fetch", label: "floor over node-fetch (diagnostic)", pkg: null },
  { id: "threadline", label: "threadline", pkg: "threadline (../dist)" },
  { id: "segment", label: "@segment/analytics-node", pkg: "@segment/analytics-node" },
  { id: "posthog", label: "posthog-node", pkg: "posthog-node" },
  { id: "snowplow", label: "@snowplow/node-tracker", pkg: "@snowplow/node-tracker" },
  { id: "rudder", label: "@rudderstack/rudder-sdk-node", pkg: "@rudderstack/rudder-sdk-node" },
];

/** The SDKs this run measures (`--only=` narrows them). */
export const sdksOf = (s) => SDKS.filter((sdk) => !s.ONLY || s.ONLY.has(sdk.id));

export const makeLog =
  (s) =>
  (...a) =>
    console.log(`[${((Date.now() - s.started) / 1000).toFixed(0).padStart(3)}s]`, ...a);
