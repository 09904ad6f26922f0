/** Page styles: a plain light theme, one colour per phase (anonymous = amber, known = blue). */
export const PAGE_CSS = `
:root {
  --ink: #1d2430; --muted: #667085; --line: #d9dee7; --panel: #fff; --bg: #f4f6f9;
  --anon: #b25e09; --anon-bg: #fff4e5; --known: #1d5fd1; --known-bg: #e8f0ff; --join: #0f8a5f;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
body { margin: 0; }
header { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: #141b26; color: #fff; }
header h1 { margin: 0; font-size: 18px; } header h1 span { color: #7fb2ff; font-weight: 400; }
header p { margin: 0; color: #c4cbd6; }
.status { margin-left: auto !important; } .status.offline { color: #ff9b8f; }
button { font: inherit; cursor: pointer; }
#reset { background: transparent; color: #fff; border: 1px solid #5b6578; border-radius: 6px; padding: 4px 12px; }
main { display: grid; grid-template-columns: 200px minmax(0, 1fr); grid-template-areas: "users journey" "users events"; gap: 16px; padding: 16px 20px; }
nav { grid-area: users; } #journey-panel { grid-area: journey; } #events-panel { grid-area: events; }
nav, section { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 12px 16px; min-width: 0; }
h2 { font-size: 15px; margin: 0 0 10px; }
.empty { color: var(--muted); }
code { font: 12px ui-monospace, SFMono-Regular, Menlo, monospace; }
#users { list-style: none; margin: 0; padding: 0; }
#users button { width: 100%; text-align: left; border: 1px solid transparent; background: none; border-radius: 8px; padding: 6px 8px; }
#users button:hover { background: var(--bg); }
#users button[aria-current="true"] { background: var(--known-bg); border-color: #b9cdf5; }
#users .user-id { display: block; font-weight: 600; overflow-wrap: anywhere; }
#users .user-counts { color: var(--muted); font-size: 12px; }
#journey-meta { display: flex; flex-wrap: wrap; gap: 4px 24px; margin: 0 0 12px; }
#journey-meta div { display: flex; gap: 6px; } #journey-meta dt { color: var(--muted); } #journey-meta dd { margin: 0; font-weight: 500; }
#journey-scroll { overflow-x: auto; padding-bottom: 6px; }
.timeline { display: grid; align-items: center; grid-template-rows: auto; grid-auto-rows: 44px; position: relative; }
.lane-label { grid-column: 1; position: sticky; left: 0; z-index: 3; background: var(--panel); padding: 6px 10px 6px 0; font-size: 12px; }
.lane-label strong { display: block; font-size: 13px; }
.lane-label.corner { align-self: stretch; }
.lane-label small { color: var(--muted); font-family: ui-monospace, monospace; overflow-wrap: anywhere; }
.lane-label.known strong { color: var(--known); } .lane-label.anonymous strong { color: var(--anon); }
.lane-line { grid-column: 2 / -1; height: 2px; border-radius: 1px; z-index: 0; }
.lane-line.known { background: #b9cdf5; } .lane-line.anonymous { background: #f3d3a8; }
.col-time { font-size: 11px; color: var(--muted); text-align: center; padding: 0 4px 4px; white-space: nowrap; }
.col-time { align-self: end; }
.col-time.identified { color: var(--join); font-weight: 700; }
.identified-tag { display: block; text-transform: uppercase; letter-spacing: .04em; font-size: 10px; }
/* Spans from the user lane to the device lane, centre to centre (rows are 44px). */
.join { z-index: 1; justify-self: center; align-self: stretch; margin: 22px 0; width: 3px; background: var(--join); border-radius: 2px; }
.event { z-index: 2; justify-self: center; max-width: calc(100% - 6px); border-radius: 14px; padding: 3px 10px; font-size: 12px; border: 1px solid; background: var(--panel); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.event.anonymous { color: var(--anon); border-color: #f0c590; background: var(--anon-bg); }
.event.known { color: var(--known); border-color: #b9cdf5; background: var(--known-bg); }
.event.identify, .event.alias { color: #fff; background: var(--join); border-color: var(--join); font-weight: 600; }
.join-dot { z-index: 2; justify-self: center; width: 12px; height: 12px; border-radius: 50%; background: var(--join); border: 2px solid #fff; box-shadow: 0 0 0 1px var(--join); }
#event-detail { background: #141b26; color: #dfe6f0; padding: 10px; border-radius: 8px; max-height: 260px; overflow: auto; font-size: 12px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th { text-align: left; color: var(--muted); font-weight: 500; border-bottom: 1px solid var(--line); padding: 4px 8px; }
td:first-child { white-space: nowrap; }
td { padding: 4px 8px; border-bottom: 1px solid #eef1f5; font-family: ui-monospace, monospace; font-size: 12px; overflow-wrap: anywhere; }
tr.fresh td { animation: flash 1.2s ease-out; }
@keyframes flash { from { background: #fff6c2; } to { background: transparent; } }
.type { font-weight: 600; }
#rejected-panel { margin-top: 10px; } #rejected-panel summary { cursor: pointer; color: var(--muted); }
#rejected li { margin: 4px 0; } #rejected .reason { color: #b42318; font-weight: 600; }
`;
