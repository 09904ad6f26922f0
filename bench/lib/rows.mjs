// The SDK rows and the middleware rows of a results object, with their ratios.
import { f, int, ORDER } from "./format.mjs";

function baseline(all) {
  const t = all.sdk?.threadline;
  if (t && t.okRuns) return { id: "threadline", row: t };
  const fl = all.sdk?.floor;
  if (fl && fl.okRuns) return { id: "floor", row: fl };
  return null;
}

export function rows(all) {
  const base = baseline(all);
  const out = [];
  for (const id of ORDER) {
    const r = all.sdk?.[id];
    if (id === "rudder" && (!r || !r.okRuns) && all.rudder) {
      out.push({ id, dnf: true, attempt: all.rudder.attempt, probes: all.rudder.probes });
      continue;
    }
    if (!r) {
      if (all.skipped?.[id]) out.push({ id, skipped: all.skipped[id] });
      continue;
    }
    if (!r.okRuns) {
      out.push({ id, failed: r.failures.join("; ") });
      continue;
    }
    const ratio = (k) => (base && base.row[k] ? r[k] / base.row[k] : null);
    out.push({
      id,
      enqueueUs: r.enqueueNsPerCall / 1000,
      wallS: r.wallMs / 1000,
      cpuS: r.cpuMs / 1000,
      rssMiB: r.maxRssKiB / 1024,
      requests: r.requests,
      delivered: r.delivered,
      n: r.n,
      runs: `${r.okRuns}/${r.runs}`,
      gzip: r.gzip,
      batch: r.maxEventsPerRequest,
      wallX: ratio("wallMs"),
      enqX: ratio("enqueueNsPerCall"),
      cpuX: ratio("cpuMs"),
      rssX: ratio("maxRssKiB"),
    });
  }
  return { base: base?.id, list: out };
}

export function rudderNote(r) {
  const a = r.attempt;
  const probes = r.probes
    .filter((p) => p.ok)
    .map((p) => `N=${int(p.n)}: ${f(p.enqueueNsPerCall / 1000, 0)} µs/call, ${f(p.wallMs / 1000, 1)} s to deliver`)
    .join("; ");
  const attempt = a.ok ? `finished in ${f(a.wallMs / 1000, 1)} s` : a.reason;
  return `did not finish: ${attempt}${probes ? ` (probes: ${probes})` : ""}`;
}

export function mwRows(mw) {
  const r = mw.results;
  const out = [];
  for (const c of ["returning", "first"]) {
    const bare = r[`bare/${c}`];
    const name = c === "returning" ? "returning visitor (valid aid cookie)" : "first visit (no cookie)";
    const row = (label, key) => {
      const x = r[key];
      if (!x) return;
      out.push({
        label,
        key,
        rps: x.rps,
        cpu: x.cpuUsPerRequest,
        pct: key.startsWith("bare/") || !bare?.rps ? null : (100 * x.rps) / bare.rps,
        // capacity: requests one core can serve, from the app's CPU time per request
        capPct:
          key.startsWith("bare/") || !bare?.cpuUsPerRequest || !x.cpuUsPerRequest
            ? null
            : (100 * bare.cpuUsPerRequest) / x.cpuUsPerRequest,
      });
    };
    row(`bare app, ${name}`, `bare/${c}`);
    row(`+ empty middleware (control), ${name}`, `noop/${c}`);
    row(`+ threadline middleware, ${name}`, `mw/${c}`);
    row(`no middleware, one plain client track (control), ${name}`, `track/${c}`);
    row(`+ threadline middleware + one track, ${name}`, `mwtrack/${c}`);
  }
  return out;
}
