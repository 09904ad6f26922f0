// The targets table of RESULTS.md and the console: DESIGN.md's budgets (budgets.mjs) and
// issue 4's goals against the peers.
import { budgetText, checkBudgets } from "./budgets.mjs";
import { f, fx, PEERS } from "./format.mjs";
import { mwRows } from "./rows.mjs";

const OK = { met: true, missed: false, unsure: null };

export function targets(all) {
  const out = [];
  for (const c of checkBudgets(all)) {
    if (c.status === "not measured") continue;
    out.push({ src: "DESIGN", what: c.budget.what, actual: c.text, target: budgetText(c.budget), ok: OK[c.status] });
  }
  const t = all.sdk?.threadline;
  const fl = all.sdk?.floor;
  if (t?.okRuns && fl?.okRuns) {
    const w = t.wallMs / fl.wallMs;
    out.push({ src: "issue 4", what: "wall time vs floor", actual: fx(w), target: "≤ 1.5×", ok: w <= 1.5 });
  }
  if (t?.okRuns) {
    const peers = PEERS.map((id) => all.sdk?.[id]).filter((r) => r?.okRuns);
    if (peers.length) {
      const fastestWall = Math.min(...peers.map((p) => p.wallMs));
      const fastestEnq = Math.min(...peers.map((p) => p.enqueueNsPerCall));
      const leanest = Math.min(...peers.map((p) => p.maxRssKiB));
      const wallGain = fastestWall / t.wallMs;
      const enq = t.enqueueNsPerCall / fastestEnq;
      const rss = t.maxRssKiB / leanest;
      out.push({
        src: "issue 4",
        what: "fastest peer's wall time ÷ threadline's",
        actual: fx(wallGain),
        target: "≥ 2×",
        ok: wallGain >= 2,
      });
      out.push({
        src: "issue 4",
        what: "enqueue cost vs fastest peer's",
        actual: fx(enq),
        target: "≤ 0.5×",
        ok: enq <= 0.5,
      });
      out.push({ src: "issue 4", what: "peak RSS vs leanest peer's", actual: fx(rss), target: "≤ 1.0×", ok: rss <= 1 });
    }
  }
  if (all.middleware?.results) {
    const rowsByKey = Object.fromEntries(mwRows(all.middleware).map((x) => [x.key, x]));
    for (const visit of ["returning", "first"]) {
      const x = rowsByKey[`mwtrack/${visit}`];
      if (!x || x.capPct == null) continue;
      const ok = x.capPct >= 95 && x.pct >= 95 ? true : x.capPct < 95 && x.pct < 95 ? false : null;
      const actual = `${f(x.pct, 1)}% by req/s, ${f(x.capPct, 1)}% by app CPU/request`;
      const what = `middleware + one track, ${visit === "returning" ? "returning visitor" : "first visit"}, vs bare`;
      out.push({ src: "issue 4", what, actual, target: "≥ 95%", ok });
    }
  }
  return out;
}
