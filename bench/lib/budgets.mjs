// DESIGN.md "Performance budget" as data, and the check `npm run bench -- --check` runs.
// Every figure is a ratio within one run (threadline ÷ the floor, the middleware ÷ the
// bare route), read from the results object run.mjs builds, so a busy machine slows both
// sides of each ratio alike.
import { f, fx, pairedRatio } from "./format.mjs";
import { mwRows } from "./rows.mjs";

/** The results row a spool run is filed under (threadline with `spool` on). */
export const SPOOL_ROW = "threadline-spool";

/**
 * One entry per line of the budget table. `sdk: [row, base, key]` is `row[key] ÷ base[key]`
 * (medians over the run's alternating rounds), at most `max`; `mw` is a middleware row's
 * share of the bare route, at least `min`; `track` compares the CPU a request's `track`
 * adds with a bare client's `track`.
 */
export const BUDGETS = [
  { id: "wall", what: "wall time, threadline ÷ floor", sdk: ["threadline", "floor", "wallMs"], max: 1.1 },
  { id: "cpu", what: "CPU time (user + system), threadline ÷ floor", sdk: ["threadline", "floor", "cpuMs"], max: 1.2 },
  { id: "rss", what: "peak RSS, threadline ÷ floor", sdk: ["threadline", "floor", "maxRssKiB"], max: 1.1 },
  {
    id: "enqueue",
    what: "enqueue per call, threadline ÷ the floor's build + serialize",
    sdk: ["threadline", "floor", "enqueueNsPerCall"],
    max: 1.2,
  },
  {
    id: "spool",
    what: "wall time with `spool` on ÷ the same run's threadline without",
    sdk: [SPOOL_ROW, "threadline", "wallMs"],
    max: 1.3,
  },
  { id: "mw-returning", what: "middleware, returning visitor, vs the bare route", mw: "mw/returning", min: 0.95 },
  { id: "mw-first", what: "middleware, first visit, vs the bare route", mw: "mw/first", min: 0.9 },
  {
    id: "track-returning",
    what: "app CPU a request's track adds vs a bare client's track, returning visitor",
    track: "returning",
    toleranceUs: 3,
  },
  {
    id: "track-first",
    what: "app CPU a request's track adds vs a bare client's track, first visit",
    track: "first",
    toleranceUs: 3,
  },
];

const pct = (x) => `${f(100 * x, 0)}%`;
const notMeasured = (why) => ({ status: "not measured", text: why });

// bench/spool.mjs measures spool on vs off in its own alternating rounds and files the
// ratio under `all.spool.figures`; a results row named SPOOL_ROW is judged the same way.
function spoolScenarioRatio(all, key, max) {
  const fig = all.spool?.figures?.[key];
  if (fig?.ratio == null) return null;
  const text = `${fx(fig.ratio)} (spool scenario, medians of ${all.spool.runs} alternating rounds)`;
  if (fig.ratio <= max) return { status: "met", value: fig.ratio, text };
  return {
    status: "missed",
    value: fig.ratio,
    text,
    by: `over by ${pct(fig.ratio / max - 1)} (${fx(fig.ratio)} > ${fx(max)})`,
  };
}

function sdkRatio(all, [rowId, baseId, key], max) {
  if (rowId === SPOOL_ROW && !all.sdk?.[rowId]) {
    const fromScenario = spoolScenarioRatio(all, key, max);
    if (fromScenario) return fromScenario;
  }
  const row = all.sdk?.[rowId];
  const base = all.sdk?.[baseId];
  if (!row?.okRuns || !base?.okRuns || !row[key] || !base[key])
    return notMeasured(`no ${!row?.okRuns ? rowId : baseId} row`);
  const ratio = row[key] / base[key];
  const paired = pairedRatio(row.raw, base.raw, key);
  const text = `${fx(ratio)}${paired == null ? "" : ` (per-round ratios: median ${fx(paired)})`}`;
  if (ratio <= max) return { status: "met", value: ratio, text };
  return { status: "missed", value: ratio, text, by: `over by ${pct(ratio / max - 1)} (${fx(ratio)} > ${fx(max)})` };
}

// Two measures of one route (requests/s from the load generator, capacity from the app's
// CPU per request) move differently on a shared machine: a budget is missed only when both
// miss it, and unsure when they disagree.
function mwShare(all, key, min) {
  const row = all.middleware?.results ? mwRows(all.middleware).find((r) => r.key === key) : undefined;
  if (!row || row.pct == null || row.capPct == null) return notMeasured("no middleware run");
  const byRps = row.pct / 100;
  const byCpu = row.capPct / 100;
  const text = `${f(row.pct, 1)}% by req/s, ${f(row.capPct, 1)}% by app CPU/request`;
  const worse = Math.min(byRps, byCpu);
  if (byRps >= min && byCpu >= min) return { status: "met", value: worse, text };
  const by = `short by ${f(100 * (min - worse), 1)} points (${f(100 * worse, 1)}% < ${pct(min)})`;
  return { status: byRps < min && byCpu < min ? "missed" : "unsure", value: worse, text, by };
}

function trackCost(all, visit, toleranceUs) {
  const cpu = (mode) => all.middleware?.results?.[`${mode}/${visit}`]?.cpuUsPerRequest;
  if (!cpu("mw") || !cpu("mwtrack") || !cpu("bare") || !cpu("track")) return notMeasured("no middleware run");
  const viaRequest = cpu("mwtrack") - cpu("mw");
  const viaClient = cpu("track") - cpu("bare");
  const text = `${f(viaRequest, 1)} µs vs ${f(viaClient, 1)} µs`;
  const excess = viaRequest - viaClient - toleranceUs;
  if (excess <= 0) return { status: "met", value: viaRequest - viaClient, text };
  return {
    status: "missed",
    value: viaRequest - viaClient,
    text,
    by: `over by ${f(excess, 1)} µs past the ±${toleranceUs} µs`,
  };
}

/** The target as the budget table writes it. */
export function budgetText(budget) {
  if (budget.max != null) return `≤ ${budget.max}×`;
  if (budget.min != null) return `≥ ${pct(budget.min)}`;
  return `≤ a bare client's + ${budget.toleranceUs} µs`;
}

/** Every budget judged against one results object: `{ budget, status, text, by? }`. */
export function checkBudgets(all) {
  return BUDGETS.map((budget) => {
    const result = budget.sdk
      ? sdkRatio(all, budget.sdk, budget.max)
      : budget.mw
        ? mwShare(all, budget.mw, budget.min)
        : trackCost(all, budget.track, budget.toleranceUs);
    return { budget, ...result };
  });
}

/**
 * The report `--check` prints, and its exit code: 1 when a budget was missed, or when
 * nothing at all could be measured (a check that checked nothing must not pass).
 */
export function budgetReport(checks) {
  const mark = { met: "met   ", missed: "MISSED", unsure: "unsure", "not measured": "n/a   " };
  const lines = ['budget check (DESIGN.md "Performance budget"):'];
  for (const c of checks) {
    const detail = c.by ? `; ${c.by}` : "";
    lines.push(`  ${mark[c.status]} ${c.budget.what}: ${c.text} (budget ${budgetText(c.budget)})${detail}`);
  }
  const missed = checks.filter((c) => c.status === "missed");
  const measured = checks.filter((c) => c.status !== "not measured");
  if (!measured.length) lines.push("✖ nothing was measured: no budget could be checked");
  else if (missed.length)
    lines.push(`✖ ${missed.length} budget(s) missed: ${missed.map((c) => c.budget.id).join(", ")}`);
  else lines.push(`✔ every measured budget met (${measured.length} of ${checks.length} measured)`);
  return { lines, exitCode: missed.length || !measured.length ? 1 : 0 };
}
