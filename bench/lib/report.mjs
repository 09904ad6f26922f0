// Turns run.mjs's results into the console table, RESULTS.md and results.svg.
import fs from "node:fs";
import path from "node:path";

const ORDER = ["floor", "floor-node-fetch", "threadline", "segment", "posthog", "snowplow", "rudder"];
const LABEL = {
  floor: "floor (stringify + keep-alive POST)",
  "floor-node-fetch": "floor over node-fetch (diagnostic)",
  threadline: "threadline",
  segment: "@segment/analytics-node",
  posthog: "posthog-node",
  snowplow: "@snowplow/node-tracker",
  rudder: "@rudderstack/rudder-sdk-node",
};
const PEERS = ["segment", "posthog", "snowplow", "rudder"];

const f = (x, d = 0) => (x == null || !Number.isFinite(x) ? "–" : x.toFixed(d));
const fx = (x) => (x == null || !Number.isFinite(x) ? "–" : `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`);
const int = (x) => (x == null ? "–" : Math.round(x).toLocaleString("en-US"));

function baseline(all) {
  const t = all.sdk?.threadline;
  if (t && t.okRuns) return { id: "threadline", row: t };
  const fl = all.sdk?.floor;
  if (fl && fl.okRuns) return { id: "floor", row: fl };
  return null;
}

function rows(all) {
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

function rudderNote(r) {
  const a = r.attempt;
  const probes = r.probes
    .filter((p) => p.ok)
    .map((p) => `N=${int(p.n)}: ${f(p.enqueueNsPerCall / 1000, 0)} µs/call, ${f(p.wallMs / 1000, 1)} s to deliver`)
    .join("; ");
  const attempt = a.ok ? `finished in ${f(a.wallMs / 1000, 1)} s` : a.reason;
  return `did not finish: ${attempt}${probes ? ` (probes: ${probes})` : ""}`;
}

export function printTable(all) {
  const { base, list } = rows(all);
  const head = ["SDK", "enqueue µs/call", "wall s", "CPU s", "peak RSS MiB", "requests", "delivered/sent", `wall ×${base ?? "?"}`, "enqueue ×", "CPU ×", "RSS ×"];
  const lines = [head];
  for (const r of list) {
    if (r.dnf) lines.push([LABEL[r.id], "DNF", "", "", "", "", "", "", "", "", ""]);
    else if (r.skipped || r.failed) lines.push([LABEL[r.id], r.skipped ? "skipped" : "failed", "", "", "", "", "", "", "", "", ""]);
    else lines.push([LABEL[r.id], f(r.enqueueUs, 2), f(r.wallS, 2), f(r.cpuS, 2), f(r.rssMiB, 0), int(r.requests), `${int(r.delivered)}/${int(r.n)}`, fx(r.wallX), fx(r.enqX), fx(r.cpuX), fx(r.rssX)]);
  }
  const widths = head.map((_, i) => Math.max(...lines.map((l) => String(l[i]).length)));
  console.log("");
  for (const l of lines) console.log(l.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join("  "));
  for (const r of list) {
    if (r.dnf) console.log(`\n${LABEL.rudder}: ${rudderNote(r)}`);
    if (r.skipped) console.log(`\n${LABEL[r.id]}: skipped: ${r.skipped}`);
    if (r.failed) console.log(`\n${LABEL[r.id]}: failed: ${r.failed}`);
  }
  const mw = all.middleware;
  if (mw?.results) {
    console.log(`\nmiddleware (Express, autocannon ${mw.connections} connections, ${mw.seconds} s, median of ${mw.rounds}):`);
    for (const t of mwRows(mw))
      console.log(`  ${t.label.padEnd(62)} ${int(t.rps).padStart(7)} req/s ${t.pct == null ? "       " : `${t.pct.toFixed(1).padStart(5)}%`}   app CPU ${f(t.cpu, 1).padStart(6)} µs/req ${t.capPct == null ? "" : `${t.capPct.toFixed(1).padStart(5)}%`}`);
  } else if (mw?.skipped) {
    console.log(`\nmiddleware: skipped: ${mw.skipped}`);
  }
  const t = targets(all);
  if (t.length) {
    console.log("\ntargets:");
    for (const x of t) console.log(`  ${x.ok == null ? "?   " : x.ok ? "MET " : "MISS"} ${x.what}: ${x.actual} (target ${x.target})`);
  }
}

function mwRows(mw) {
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
        capPct: key.startsWith("bare/") || !bare?.cpuUsPerRequest || !x.cpuUsPerRequest ? null : (100 * bare.cpuUsPerRequest) / x.cpuUsPerRequest,
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

/** Median over rounds of a/b, pairing the runs of the same round (adjacent in time). */
function pairedRatio(aRuns, bRuns, key) {
  const xs = [];
  for (let i = 0; i < Math.min(aRuns?.length ?? 0, bRuns?.length ?? 0); i++) {
    if (aRuns[i].ok && bRuns[i].ok && bRuns[i][key]) xs.push(aRuns[i][key] / bRuns[i][key]);
  }
  if (!xs.length) return null;
  xs.sort((p, q) => p - q);
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}

export function targets(all) {
  const out = [];
  const t = all.sdk?.threadline;
  const fl = all.sdk?.floor;
  if (t?.okRuns && fl?.okRuns) {
    const w = t.wallMs / fl.wallMs;
    const e = t.enqueueNsPerCall / fl.enqueueNsPerCall;
    const m = t.maxRssKiB / fl.maxRssKiB;
    const paired = pairedRatio(t.raw, fl.raw, "wallMs");
    const wallText = `${fx(w)}${paired == null ? "" : ` (median of per-round ratios: ${fx(paired)})`}`;
    const agree = (goal) => (paired == null ? w <= goal : w <= goal && paired <= goal ? true : w > goal && paired > goal ? false : null);
    out.push({ src: "DESIGN", what: "wall time vs floor", actual: wallText, target: "≤ 1.1×", ok: agree(1.1) });
    out.push({ src: "DESIGN", what: "peak RSS vs floor", actual: fx(m), target: "≤ 1.1×", ok: m <= 1.1 });
    out.push({ src: "DESIGN", what: "enqueue cost vs floor's build+serialize", actual: fx(e), target: "≤ 1.5×", ok: e <= 1.5 });
    out.push({ src: "issue 4", what: "wall time vs floor", actual: wallText, target: "≤ 1.5×", ok: agree(1.5) });
  }
  if (t?.okRuns) {
    const peers = PEERS.map((id) => all.sdk?.[id]).filter((r) => r?.okRuns);
    if (peers.length) {
      const fastestWall = Math.min(...peers.map((p) => p.wallMs));
      const fastestEnq = Math.min(...peers.map((p) => p.enqueueNsPerCall));
      const leanest = Math.min(...peers.map((p) => p.maxRssKiB));
      out.push({ src: "issue 4", what: "fastest peer's wall time ÷ threadline's", actual: fx(fastestWall / t.wallMs), target: "≥ 2×", ok: fastestWall / t.wallMs >= 2 });
      out.push({ src: "issue 4", what: "enqueue cost vs fastest peer's", actual: fx(t.enqueueNsPerCall / fastestEnq), target: "≤ 0.5×", ok: t.enqueueNsPerCall / fastestEnq <= 0.5 });
      out.push({ src: "issue 4", what: "peak RSS vs leanest peer's", actual: fx(t.maxRssKiB / leanest), target: "≤ 1.0×", ok: t.maxRssKiB <= leanest });
    }
  }
  const mw = all.middleware?.results;
  if (mw) {
    const rowsByKey = Object.fromEntries(mwRows(all.middleware).map((x) => [x.key, x]));
    const both = (key) => {
      const x = rowsByKey[key];
      return x ? `${f(x.pct, 1)}% by req/s, ${f(x.capPct, 1)}% by app CPU/request` : "–";
    };
    const ok = (key, goal) => {
      const x = rowsByKey[key];
      if (!x || x.capPct == null) return null;
      return x.capPct >= goal && x.pct >= goal ? true : x.capPct < goal && x.pct < goal ? false : null;
    };
    out.push({ src: "DESIGN", what: "middleware alone, returning visitor, vs bare", actual: both("mw/returning"), target: "≥ 95%", ok: ok("mw/returning", 95) });
    out.push({ src: "DESIGN", what: "middleware alone, first visit, vs bare", actual: both("mw/first"), target: "≥ 90%", ok: ok("mw/first", 90) });
    out.push({ src: "issue 4", what: "middleware + one track, returning visitor, vs bare", actual: both("mwtrack/returning"), target: "≥ 95%", ok: ok("mwtrack/returning", 95) });
    out.push({ src: "issue 4", what: "middleware + one track, first visit, vs bare", actual: both("mwtrack/first"), target: "≥ 95%", ok: ok("mwtrack/first", 95) });
    for (const c of ["returning", "first"]) {
      const cpu = (k) => mw[`${k}/${c}`]?.cpuUsPerRequest;
      if (cpu("mw") && cpu("mwtrack") && cpu("bare") && cpu("track")) {
        const viaRequest = cpu("mwtrack") - cpu("mw");
        const viaClient = cpu("track") - cpu("bare");
        out.push({
          src: "DESIGN",
          what: `app CPU a request's track adds (mw+track − mw) vs a plain client track (track − bare), ${c === "returning" ? "returning visitor" : "first visit"}`,
          actual: `${f(viaRequest, 1)} µs vs ${f(viaClient, 1)} µs`,
          target: "no more (±3 µs)",
          ok: viaRequest <= viaClient + 3,
        });
      }
    }
  }
  return out;
}

// ---- SVG -------------------------------------------------------------------------

function esc(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function svgChart(all) {
  const { base, list } = rows(all);
  const metrics = [
    ["wallX", "Wall time to deliver all events"],
    ["enqX", "Enqueue cost per call"],
    ["cpuX", "CPU time (user + sys)"],
    ["rssX", "Peak RSS"],
  ];
  const entries = list.filter((r) => r.id !== base);
  const W = 760;
  const left = 250;
  const right = 90;
  const barH = 16;
  const gap = 6;
  const panelPad = 34;
  const minR = 0.25;
  const maxR = 32;
  const plotW = W - left - right;
  const lx = (r) => left + (plotW * (Math.log2(Math.min(Math.max(r, minR), maxR)) - Math.log2(minR))) / (Math.log2(maxR) - Math.log2(minR));
  const x1 = lx(1);
  let y = 64;
  const parts = [];
  parts.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Cost relative to ${esc(base ?? "?")} (= 1.0×, lower is better; log scale)</text>`);
  const m = all.meta;
  parts.push(`<text x="${W / 2}" y="44" text-anchor="middle" font-size="11" fill="#555">${esc(`${int(m.N)} track calls, median of ${m.runs} runs${m.cheapRuns > m.runs ? ` (${m.cheapRuns} for floor and threadline)` : ""}, Node ${m.node}, ${m.cpus} CPUs, ${m.date.slice(0, 10)}`)}</text>`);
  for (const [key, title] of metrics) {
    parts.push(`<text x="10" y="${y + 12}" font-size="13" font-weight="bold">${esc(title)}</text>`);
    y += 20;
    const top = y;
    for (const r of entries) {
      const label = LABEL[r.id];
      parts.push(`<text x="${left - 8}" y="${y + barH - 4}" text-anchor="end" font-size="12">${esc(label)}</text>`);
      const v = r[key];
      if (r.dnf || r.skipped || r.failed || v == null) {
        const why = r.dnf ? "did not finish (quadratic enqueue)" : r.skipped ? "skipped" : r.failed ? "failed" : "–";
        parts.push(`<rect x="${x1}" y="${y}" width="${lx(maxR) - x1}" height="${barH}" fill="url(#dnf)" stroke="#b33" stroke-width="0.5"/>`);
        parts.push(`<text x="${x1 + 6}" y="${y + barH - 4}" font-size="11" fill="#822">${esc(why)}</text>`);
      } else {
        const xv = lx(v);
        const color = r.id.startsWith("floor") ? "#8a8a8a" : v >= 1 ? "#d9822b" : "#3a7bd5";
        const x = Math.min(x1, xv);
        parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(1, Math.abs(xv - x1)).toFixed(1)}" height="${barH}" fill="${color}"/>`);
        const clipped = v > maxR ? "+" : "";
        parts.push(`<text x="${(Math.max(x1, xv) + 5).toFixed(1)}" y="${y + barH - 4}" font-size="11">${esc(fx(v) + clipped)}</text>`);
      }
      y += barH + gap;
    }
    parts.push(`<line x1="${x1}" y1="${top - 4}" x2="${x1}" y2="${y}" stroke="#000" stroke-width="1.5"/>`);
    y += panelPad - gap;
  }
  // axis
  const ticks = [0.25, 0.5, 1, 2, 4, 8, 16, 32];
  parts.push(`<line x1="${left}" y1="${y - 20}" x2="${left + plotW}" y2="${y - 20}" stroke="#888"/>`);
  for (const t of ticks) {
    parts.push(`<line x1="${lx(t)}" y1="${y - 24}" x2="${lx(t)}" y2="${y - 16}" stroke="#888"/>`);
    parts.push(`<text x="${lx(t)}" y="${y - 4}" text-anchor="middle" font-size="11" fill="#444">${t}×</text>`);
  }
  const H = y + 10;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif">
<defs><pattern id="dnf" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#fbeaea"/><line x1="0" y1="0" x2="0" y2="8" stroke="#e3a3a3" stroke-width="3"/></pattern></defs>
<rect width="100%" height="100%" fill="#fff"/>
${parts.join("\n")}
</svg>
`;
}

// ---- Markdown ----------------------------------------------------------------------

export function markdown(all) {
  const { base, list } = rows(all);
  const m = all.meta;
  const L = [];
  L.push("# threadline benchmark results");
  L.push("");
  L.push(`Generated by \`npm run bench\` in \`bench/\` (\`run.mjs\`) on ${m.date} in ${f(m.durationS)} s.`);
  L.push(`Node ${m.node}, ${m.cpus} × ${m.cpuModel ?? "CPU"}; load average at start ${m.loadavgStart.map((x) => x.toFixed(2)).join(" / ")}, at end ${m.loadavgEnd.map((x) => x.toFixed(2)).join(" / ")} (1 / 5 / 15 min).`);
  L.push(`Workload: ${int(m.N)} \`track\` calls (\`Order Completed\`, a user id, 8 properties including a 3-item array of products) in one synchronous loop, then the SDK's own flush/close, until the sink has counted all ${int(m.N)} events. Each SDK run is a fresh process; figures are the median of ${m.runs} runs${m.cheapRuns > m.runs ? ` (${m.cheapRuns} for the floor rows and threadline, which take a second or two each)` : ""}, rounds interleaved across SDKs.`);
  L.push("");
  L.push(`Ratios are against **${base}** (= 1.0×; above 1 costs more).`);
  L.push("");
  L.push("| SDK | version | enqueue µs/call | wall s | CPU s | peak RSS MiB | HTTP requests | delivered / sent | wall × | enqueue × | CPU × | RSS × |");
  L.push("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const r of list) {
    const v = r.id.startsWith("floor") ? "–" : m.versions?.[r.id] ?? "?";
    if (r.dnf) L.push(`| ${LABEL[r.id]} | ${v} | DNF | DNF | | | | | | | | |`);
    else if (r.skipped) L.push(`| ${LABEL[r.id]} | ${v} | skipped | | | | | | | | | |`);
    else if (r.failed) L.push(`| ${LABEL[r.id]} | ${v} | failed | | | | | | | | | |`);
    else
      L.push(
        `| ${r.id === base ? `**${LABEL[r.id]}**` : LABEL[r.id]} | ${v} | ${f(r.enqueueUs, 2)} | ${f(r.wallS, 2)} | ${f(r.cpuS, 2)} | ${f(r.rssMiB, 0)} | ${int(r.requests)}${r.gzip ? " (gzip)" : ""} | ${int(r.delivered)} / ${int(r.n)} | ${fx(r.wallX)} | ${fx(r.enqX)} | ${fx(r.cpuX)} | ${fx(r.rssX)} |`,
      );
  }
  L.push("");
  for (const id of ORDER) {
    const raw = all.sdk?.[id]?.raw ?? [];
    const dup = raw.map((x, i) => ({ i, extra: (x.eventsCounted ?? 0) - (x.delivered ?? 0), req: x.requests })).filter((x) => x.extra > 0);
    if (dup.length)
      L.push(`- **${LABEL[id]}** sent some events more than once: ${dup.map((x) => `run ${x.i + 1}: ${int(x.extra)} duplicate events in ${int(x.req)} requests`).join("; ")} (batches it retried, after request timeouts or connection errors while thousands of its requests were in flight; the sink counts distinct ids as delivered).`);
    const failedRuns = raw.filter((x) => !x.ok);
    if (failedRuns.length && all.sdk[id].okRuns) L.push(`- **${LABEL[id]}**: ${failedRuns.length} run(s) failed and are left out of the medians: ${failedRuns.map((x) => x.reason).join("; ")}.`);
  }
  for (const r of list) {
    if (r.dnf) L.push(`- **${LABEL.rudder}** ${rudderNote(r)}. Its \`enqueue()\` sums \`JSON.stringify(item).length\` over the whole in-memory queue on every call (the \`maxQueueSize\` byte check), and a synchronous burst never lets the queue drain, so the loop is quadratic: doubling N quadruples the time. Extrapolated from the probes, ${int(m.N)} calls would take hours.`);
    if (r.skipped) L.push(`- **${LABEL[r.id]}** skipped: ${r.skipped}.`);
    if (r.failed) L.push(`- **${LABEL[r.id]}** failed: ${r.failed}.`);
  }
  L.push("");
  L.push("![ratios](results.svg)");
  L.push("");
  L.push("Columns: *enqueue* = the synchronous loop of N calls divided by N (what the caller's request path pays; SDKs that defer work to promises pay the rest later, inside *wall* and *CPU*); *wall* = from the first call until the sink has counted all N; *CPU* = user + sys of the SDK's process over the same span; *peak RSS* = `process.resourceUsage().maxRSS` of that process; *requests* = HTTP requests the sink received; *delivered* = distinct message ids the sink counted.");
  L.push("");

  const t = targets(all);
  if (t.length) {
    L.push("## Targets");
    L.push("");
    L.push("| source | target | measured | goal | |");
    L.push("| --- | --- | ---: | ---: | --- |");
    for (const x of t) L.push(`| ${x.src} | ${x.what} | ${x.actual} | ${x.target} | ${x.ok == null ? "?" : x.ok ? "met" : "**missed**"} |`);
    L.push("");
  }

  L.push("## Middleware overhead");
  L.push("");
  const mw = all.middleware;
  if (mw?.results) {
    L.push(`An Express 5 app answering \`GET /api/items\` with a small JSON body, in its own process; loaded by autocannon from the harness process (${mw.connections} connections, 1 s warm-up, ${mw.seconds} s measured, median of ${mw.rounds} rounds, a fresh app process per mode and round). *Returning visitor*: the request carries a valid \`aid\` cookie; *first visit*: no cookie, so the middleware mints an id and sets \`aid\`. With *track*, each request makes one \`req.analytics.track(...)\`, delivered to the sink; the *plain client track* control makes one \`analytics.track({ event, anonymousId, properties, context })\` on a bare client instead (no middleware), with the id read from the cookie and the same context (ip, userAgent, locale, page) built by hand, so both send the same data: the baseline for "a track from the request adds no more than a bare client's track".`);
    L.push("");
    L.push("| app | req/s | vs bare | app CPU µs/request | capacity vs bare (by CPU) | p99 ms | samples: req/s; CPU µs/req |");
    L.push("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    for (const row of mwRows(mw)) {
      const r = mw.results[row.key];
      L.push(`| ${row.label} | ${int(row.rps)} | ${row.pct == null ? "–" : `${row.pct.toFixed(1)}%`} | ${f(row.cpu, 1)} | ${row.capPct == null ? "–" : `${row.capPct.toFixed(1)}%`} | ${r?.p99 ?? "–"} | ${r?.samples?.join(", ") ?? ""}; ${r?.cpuSamples?.join(", ") ?? ""} |`);
    }
    L.push("");
    L.push("*App CPU µs/request* is the app process's user + sys CPU time over the measured run divided by the requests served; *capacity* = bare's CPU per request ÷ this one's, i.e. the req/s one core could serve. On this shared 2-core machine (autocannon, the app and the sink share the cores with other work) req/s moves by ±15 % between rounds, CPU per request by far less, so a target counts as met or missed only when both measures agree and as unsure (?) otherwise. The empty middleware is a control: what any `app.use` layer costs in Express.");
    L.push("");
    const ch = mw.checks ?? {};
    const rounds = (mode) =>
      Object.keys(ch)
        .filter((k) => k.startsWith(`${mode}/delivered/`))
        .map((k) => `${int(ch[k])} (${int(ch[k.replace("delivered", "requests")])})`)
        .join(", ") || "–";
    L.push(`Sanity checks (one request each before measuring): first visit with the middleware sets \`aid\`: ${ch["mw/first"]?.setsAid ? "yes" : "no"}; returning visit sets it: ${ch["mw/returning"]?.setsAid ? "yes (unexpected)" : "no"}. Events (and requests) the sink received per round from the *middleware + track* app: ${rounds("mwtrack")}; from the *plain client track* app: ${rounds("track")}.`);
  } else {
    L.push(`Skipped: ${mw?.skipped ?? "not run"}.`);
  }
  L.push("");

  L.push("## Configuration of each SDK");
  L.push("");
  L.push("Every SDK runs at its default options except a queue bound raised to hold the 100 000-call burst (as DESIGN.md asks), with its default batch size; each is drained with its own flush/close.");
  L.push("");
  for (const id of ORDER) {
    if (!m.configs?.[id]) continue;
    L.push(`- **${LABEL[id]}**${!id.startsWith("floor") && m.versions?.[id] ? ` ${m.versions[id]}` : ""}: ${m.configs[id]}`);
  }
  L.push("");
  L.push("The sink (`lib/sink.mjs`) is one Node process on 127.0.0.1 that gunzips when asked, parses every body, counts `batch` (Segment, RudderStack, PostHog, threadline, floor) or `data` (Snowplow) entries and distinct message ids, and answers 200 at once (`{\"success\":true}` on `/v1/*`, `{\"status\":1}` on PostHog's `/batch/`, `ok` on Snowplow's `tp2`). It runs on the same 2-core machine, so its parsing competes with the SDK's process: the same for every row.");
  L.push("");
  if (all.profile?.top) {
    L.push("## CPU profile of one threadline run");
    L.push("");
    L.push(`\`node --cpu-prof\`, ${int(all.profile.totalMs)} ms sampled; top self time:`);
    L.push("");
    L.push("| self % | ms | function | where | source (best guess) |");
    L.push("| ---: | ---: | --- | --- | --- |");
    for (const r of all.profile.top.slice(0, 20)) L.push(`| ${r.pct.toFixed(1)} | ${f(r.ms)} | \`${r.name}\` | ${r.where} | ${r.src ?? ""} |`);
    L.push("");
    L.push("Library functions, inclusive (their callees counted in; `JSON.stringify` and other builtins show up inside their caller):");
    L.push("");
    L.push("| incl. % | ms | function | where | source (best guess) |");
    L.push("| ---: | ---: | --- | --- | --- |");
    for (const r of (all.profile.inclusiveLib ?? []).slice(0, 12)) L.push(`| ${r.pct.toFixed(1)} | ${f(r.ms)} | \`${r.name}\` | ${r.where} | ${r.src ?? ""} |`);
    L.push("");
    L.push("Self time by file:");
    L.push("");
    L.push("| self % | ms | file |");
    L.push("| ---: | ---: | --- |");
    for (const r of (all.profile.byFile ?? []).slice(0, 12)) L.push(`| ${r.pct.toFixed(1)} | ${f(r.ms)} | ${r.where} |`);
    L.push("");
  }
  const mp = all.profile?.middleware;
  if (mp && Object.keys(mp).length) {
    L.push("## CPU profiles of the middleware app under load");
    L.push("");
    L.push(`\`node --cpu-prof\` on the app process during a ${all.middleware?.seconds ?? "?"} s autocannon run; CPU per request by owner (the first recognised frame from the leaf up decides, so the middleware's share excludes the route it calls through \`next()\`; the profiler inflates every figure somewhat).`);
    L.push("");
    const modes = Object.keys(mp);
    const label = { mw: "middleware, returning", "mw-first": "middleware, first visit", mwtrack: "middleware + track, returning" };
    const whats = [...new Set(modes.flatMap((m) => mp[m].perRequest.map((r) => r.what)))];
    L.push(`| µs per request | ${modes.map((m) => `${label[m] ?? m} (${int(mp[m].requests)} req)`).join(" | ")} |`);
    L.push(`| --- | ${modes.map(() => "---:").join(" | ")} |`);
    for (const w of whats) L.push(`| ${w} | ${modes.map((m) => f(mp[m].perRequest.find((r) => r.what === w)?.usPerRequest, 1)).join(" | ")} |`);
    L.push(`| **total** | ${modes.map((m) => f(mp[m].perRequest.reduce((a, r) => a + r.usPerRequest, 0), 1)).join(" | ")} |`);
    L.push("");
  }
  L.push("## Reproduce");
  L.push("");
  L.push("```sh");
  L.push("npm ci && npm run build          # at the repository root: builds dist/");
  L.push("cd bench && npm ci && npm run bench");
  L.push("npm run bench -- --quick         # smoke run: N = 10 000, 1 run, short middleware rounds (writes to bench/.tmp/)");
  L.push("npm run bench -- --no-profile    # skip the CPU profiles a full run takes");
  L.push("```");
  L.push("");
  return L.join("\n");
}

export function writeReport(all, dir) {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "RESULTS.md"), markdown(all));
  fs.writeFileSync(path.join(dir, "results.svg"), svgChart(all));
}
