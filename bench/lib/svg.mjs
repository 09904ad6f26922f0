// results.svg: the ratios of every SDK against the baseline row, one panel per figure.
import { esc, fx, int, LABEL } from "./format.mjs";
import { rows } from "./rows.mjs";

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
  const lx = (r) =>
    left +
    (plotW * (Math.log2(Math.min(Math.max(r, minR), maxR)) - Math.log2(minR))) / (Math.log2(maxR) - Math.log2(minR));
  const x1 = lx(1);
  let y = 64;
  const parts = [];
  parts.push(
    `<text x="${W / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Cost relative to ${esc(base ?? "?")} (= 1.0×, lower is better; log scale)</text>`,
  );
  const m = all.meta;
  parts.push(
    `<text x="${W / 2}" y="44" text-anchor="middle" font-size="11" fill="#555">${esc(`${int(m.N)} track calls, median of ${m.runs} runs${m.cheapRuns > m.runs ? ` (${m.cheapRuns} for floor and threadline)` : ""}, Node ${m.node}, ${m.cpus} CPUs, ${m.date.slice(0, 10)}`)}</text>`,
  );
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
        parts.push(
          `<rect x="${x1}" y="${y}" width="${lx(maxR) - x1}" height="${barH}" fill="url(#dnf)" stroke="#b33" stroke-width="0.5"/>`,
        );
        parts.push(`<text x="${x1 + 6}" y="${y + barH - 4}" font-size="11" fill="#822">${esc(why)}</text>`);
      } else {
        const xv = lx(v);
        const color = r.id.startsWith("floor") ? "#8a8a8a" : v >= 1 ? "#d9822b" : "#3a7bd5";
        const x = Math.min(x1, xv);
        parts.push(
          `<rect x="${x.toFixed(1)}" y="${y}" width="${Math.max(1, Math.abs(xv - x1)).toFixed(1)}" height="${barH}" fill="${color}"/>`,
        );
        const clipped = v > maxR ? "+" : "";
        parts.push(
          `<text x="${(Math.max(x1, xv) + 5).toFixed(1)}" y="${y + barH - 4}" font-size="11">${esc(fx(v) + clipped)}</text>`,
        );
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
