/** Page styles: a plain light theme, one colour per phase (anonymous = amber, known = blue). */
export const PAGE_CSS = `
:root {
  --ink: #1d2430; --muted: #667085; --line: #d9dee7; --panel: #fff; --bg: #f4f6f9;
  --anon: #b25e09; --anon-bg: #fff4e5; --known: #1d5fd1; --known-bg: #e8f0ff; --join: #0f8a5f;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); background: var(--bg);
}
* { box-sizing: border-box; }
/* The attribute wins over any display rule below (the key form is flex when shown). */
[hidden] { display: none !important; }
body { margin: 0; }
header { display: flex; align-items: center; gap: 16px; padding: 10px 20px; background: #141b26; color: #fff; }
header h1 { margin: 0; font-size: 18px; } header h1 span { color: #7fb2ff; font-weight: 400; }
header p { margin: 0; color: #c4cbd6; }
.status { margin-left: auto !important; } .status.offline { color: #ff9b8f; }
button { font: inherit; cursor: pointer; }
#key-form { display: flex; align-items: center; gap: 8px; color: #fff; }
#key-form input { font: inherit; padding: 3px 8px; border-radius: 6px; border: 1px solid #5b6578; }
#key-form button { background: #1d5fd1; color: #fff; border: 0; border-radius: 6px; padding: 4px 12px; }
#key-error { color: #ff9b8f; }
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
/* The journey grows down, never sideways: a lane per device, a block per visit, events wrapping. */
.journey { display: flex; flex-direction: column; gap: 14px; }
.lane { border-left: 3px solid #f3d3a8; padding: 2px 0 2px 12px; min-width: 0; }
.lane.deviceless { border-left-color: #b9cdf5; }
.lane-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 10px; margin-bottom: 6px; }
.lane-name { color: var(--anon); font-size: 13px; } .lane.deviceless .lane-name { color: var(--known); }
/* Ids are read and copied whole: never cut, wrapped only when the window is narrower than the id. */
.device-id { font-size: 12px; color: var(--ink); overflow-wrap: anywhere; }
.lane-count, .session-count { color: var(--muted); font-size: 12px; }
.sessions { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: 8px; }
.session { border: 1px solid var(--line); border-radius: 8px; padding: 6px 10px 8px; background: #fbfcfd; }
.session.inferred { border-style: dashed; }
.session-head { display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 12px; margin-bottom: 6px; font-size: 12px; }
.session-name { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); }
.session-time { font-variant-numeric: tabular-nums; }
.session-entry { font-weight: 600; overflow-wrap: anywhere; }
.events { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 6px; }
.events li { min-width: 0; max-width: 100%; }
.event { display: inline-flex; align-items: baseline; gap: 6px; max-width: 100%; border-radius: 14px; padding: 3px 10px; font-size: 12px; border: 1px solid; background: var(--panel); text-align: left; overflow-wrap: anywhere; }
.event-time { font-size: 11px; opacity: .75; font-variant-numeric: tabular-nums; }
.event.anonymous { color: var(--anon); border-color: #f0c590; background: var(--anon-bg); }
.event.known { color: var(--known); border-color: #b9cdf5; background: var(--known-bg); }
.event.identify, .event.alias { color: #fff; background: var(--join); border-color: var(--join); font-weight: 600; }
.join-tag { font-weight: 700; }
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
