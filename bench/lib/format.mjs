// Shared by the report modules: row order and labels, number formats, medians.
export const ORDER = ["floor", "floor-node-fetch", "threadline", "segment", "posthog", "snowplow", "rudder"];
export const LABEL = {
  floor: "floor (stringify + keep-alive POST)",
  "floor-node-fetch": "floor over node-fetch (diagnostic)",
  threadline: "threadline",
  segment: "@segment/analytics-node",
  posthog: "posthog-node",
  snowplow: "@snowplow/node-tracker",
  rudder: "@rudderstack/rudder-sdk-node",
};
export const PEERS = ["segment", "posthog", "snowplow", "rudder"];

export const f = (x, d = 0) => (x == null || !Number.isFinite(x) ? "–" : x.toFixed(d));
export const fx = (x) => (x == null || !Number.isFinite(x) ? "–" : `${x >= 10 ? x.toFixed(1) : x.toFixed(2)}×`);
export const int = (x) => (x == null ? "–" : Math.round(x).toLocaleString("en-US"));

export function esc(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export const median = (xs) => {
  const s = xs.filter((x) => typeof x === "number" && Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return null;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Median over rounds of a/b, pairing the runs of the same round (adjacent in time). */
export function pairedRatio(aRuns, bRuns, key) {
  const xs = [];
  for (let i = 0; i < Math.min(aRuns?.length ?? 0, bRuns?.length ?? 0); i++) {
    if (aRuns[i].ok && bRuns[i].ok && bRuns[i][key]) xs.push(aRuns[i][key] / bRuns[i][key]);
  }
  if (!xs.length) return null;
  xs.sort((p, q) => p - q);
  const m = xs.length >> 1;
  return xs.length % 2 ? xs[m] : (xs[m - 1] + xs[m]) / 2;
}
