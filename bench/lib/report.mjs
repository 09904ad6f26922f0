// Turns run.mjs's results into the console table, RESULTS.md and results.svg.
import fs from "node:fs";
import path from "node:path";
import { f, fx, int, LABEL } from "./format.mjs";
import { markdown } from "./markdown.mjs";
import { mwRows, rows, rudderNote } from "./rows.mjs";
import { svgChart } from "./svg.mjs";
import { targets } from "./targets.mjs";

export { markdown, svgChart, targets };

export function printTable(all) {
  const { base, list } = rows(all);
  const head = [
    "SDK",
    "enqueue µs/call",
    "wall s",
    "CPU s",
    "peak RSS MiB",
    "requests",
    "delivered/sent",
    `wall ×${base ?? "?"}`,
    "enqueue ×",
    "CPU ×",
    "RSS ×",
  ];
  const lines = [head];
  for (const r of list) {
    if (r.dnf) lines.push([LABEL[r.id], "DNF", "", "", "", "", "", "", "", "", ""]);
    else if (r.skipped || r.failed)
      lines.push([LABEL[r.id], r.skipped ? "skipped" : "failed", "", "", "", "", "", "", "", "", ""]);
    else
      lines.push([
        LABEL[r.id],
        f(r.enqueueUs, 2),
        f(r.wallS, 2),
        f(r.cpuS, 2),
        f(r.rssMiB, 0),
        int(r.requests),
        `${int(r.delivered)}/${int(r.n)}`,
        fx(r.wallX),
        fx(r.enqX),
        fx(r.cpuX),
        fx(r.rssX),
      ]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => String(l[i]).length)));
  console.log("");
  for (const l of lines)
    console.log(l.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  "));
  for (const r of list) {
    if (r.dnf) console.log(`\n${LABEL.rudder}: ${rudderNote(r)}`);
    if (r.skipped) console.log(`\n${LABEL[r.id]}: skipped: ${r.skipped}`);
    if (r.failed) console.log(`\n${LABEL[r.id]}: failed: ${r.failed}`);
  }
  const mw = all.middleware;
  if (mw?.results) {
    console.log(
      `\nmiddleware (Express, autocannon ${mw.connections} connections, ${mw.seconds} s, median of ${mw.rounds}):`,
    );
    for (const t of mwRows(mw))
      console.log(
        `  ${t.label.padEnd(62)} ${int(t.rps).padStart(7)} req/s ${t.pct == null ? "       " : `${t.pct.toFixed(1).padStart(5)}%`}   app CPU ${f(t.cpu, 1).padStart(6)} µs/req ${t.capPct == null ? "" : `${t.capPct.toFixed(1).padStart(5)}%`}`,
      );
  } else if (mw?.skipped) {
    console.log(`\nmiddleware: skipped: ${mw.skipped}`);
  }
  const t = targets(all);
  if (t.length) {
    console.log("\ntargets:");
    for (const x of t)
      console.log(`  ${x.ok == null ? "?   " : x.ok ? "MET " : "MISS"} ${x.what}: ${x.actual} (target ${x.target})`);
  }
}

export function writeReport(all, dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "RESULTS.md"), markdown(all));
  fs.writeFileSync(path.join(dir, "results.svg"), svgChart(all));
}
