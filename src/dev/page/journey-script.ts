/**
 * The journey part of the page's script (see script.ts, which wraps it with the helpers it
 * uses: el, byId, clock, day, timeOf, what, idText). A lane per device, each lane's visits
 * in start order with where they came from, each visit's events as wrapping pills: the
 * layout grows down, never sideways, so nothing hides behind a horizontal scrollbar.
 * Kept free of backticks and dollar-brace so it can live in a template string.
 */
export const JOURNEY_JS = `
  function entryText(entry) {
    var parts = [entry.source, entry.medium, entry.campaign].filter(Boolean);
    var text = parts.length > 0 ? parts.join(" / ") : entry.referrer ? "referral" : "direct";
    if (entry.referrer) text += " \\u00b7 from " + hostOf(entry.referrer);
    if (entry.path) text += " \\u00b7 " + entry.path;
    return text;
  }
  function hostOf(url) {
    try { return new URL(url).host || url; } catch (error) { return url; }
  }
  function span(start, end) {
    var from = new Date(start);
    var to = new Date(end);
    var text = day(from) + " " + clock(from).slice(0, 5);
    if (to - from >= 60000) text += "\\u2013" + (day(to) !== day(from) ? day(to) + " " : "") + clock(to).slice(0, 5);
    return text;
  }
  function renderMeta(journey) {
    var meta = byId("journey-meta");
    meta.textContent = "";
    var touch = journey.firstTouch || {};
    var source = [touch.source, touch.medium, touch.campaign].filter(Boolean).join(" / ") || "direct";
    [["identified", journey.identifiedAt ? new Date(journey.identifiedAt).toLocaleString() : "\\u2014"],
     ["devices", journey.devices],
     ["sessions", journey.sessions.length],
     ["first touch", source],
     ["referrer", touch.referrer || "\\u2014"]].forEach(function (pair) {
      var item = el("div");
      item.appendChild(el("dt", "", pair[0]));
      item.appendChild(el("dd", "meta-" + pair[0].replace(" ", "-"), pair[1]));
      meta.appendChild(item);
    });
  }
  function eventPill(message, journey, joined) {
    var date = timeOf(message);
    var isJoin = (message.type === "identify" || message.type === "alias") && message.phase === "known";
    var pill = el("button", "event " + message.phase + " " + message.type);
    pill.type = "button";
    pill.title = message.type + " \\u00b7 " + message.phase + " \\u00b7 " + date.toLocaleString();
    pill.appendChild(el("time", "event-time", clock(date).slice(0, 5)));
    pill.appendChild(el("span", "event-name", what(message)));
    if (isJoin && !joined.done) {
      // The moment this device's anonymous history joins the user.
      pill.appendChild(el("span", "join-tag", "\\u2192 " + journey.userId));
      joined.done = true;
    }
    pill.addEventListener("click", function () {
      var detail = byId("event-detail");
      detail.hidden = false;
      detail.textContent = JSON.stringify(message, null, 2);
    });
    return pill;
  }
  function sessionBlock(session, events, journey, joined) {
    var block = el("li", "session" + (session.inferred ? " inferred" : ""));
    block.dataset.sessionId = session.sessionId;
    var head = el("div", "session-head");
    head.appendChild(el("strong", "session-name", "visit " + (session.sessionIndex === null ? "?" : session.sessionIndex)));
    head.appendChild(el("span", "session-time", span(session.startedAt, session.endedAt)));
    head.appendChild(el("span", "session-entry", entryText(session.entry)));
    head.appendChild(el("span", "session-count", session.events + (session.events === 1 ? " event" : " events") + (session.inferred ? " \\u00b7 inferred" : "")));
    block.appendChild(head);
    var list = el("ol", "events");
    events.forEach(function (message) {
      var item = el("li");
      item.appendChild(eventPill(message, journey, joined));
      list.appendChild(item);
    });
    block.appendChild(list);
    return block;
  }
  function renderJourney(journey) {
    byId("journey-empty").hidden = true;
    byId("journey-title").textContent = "Journey of " + journey.userId;
    renderMeta(journey);
    var root = byId("journey");
    root.textContent = "";
    var eventsOf = {};
    journey.events.forEach(function (message) {
      (eventsOf[message.sessionId] = eventsOf[message.sessionId] || []).push(message);
    });
    // Lanes: the devices in the order they came in, then the user's events that name no device.
    var lanes = journey.anonymousIds.map(function (id, index) { return { id: id, name: "device " + (index + 1), sessions: [] }; });
    var laneOf = {};
    lanes.forEach(function (lane) { laneOf[lane.id] = lane; });
    journey.sessions.forEach(function (session) {
      var lane = session.anonymousId === null ? null : laneOf[session.anonymousId];
      if (!lane) {
        lane = laneOf[""] || (laneOf[""] = { id: null, name: "no device id", sessions: [] });
        if (lanes.indexOf(lane) === -1) lanes.push(lane);
      }
      lane.sessions.push(session);
    });
    lanes.forEach(function (lane) {
      var section = el("div", "lane" + (lane.id === null ? " deviceless" : ""));
      if (lane.id !== null) section.dataset.anonymousId = lane.id;
      var head = el("div", "lane-head");
      head.appendChild(el("strong", "lane-name", lane.name));
      head.appendChild(el("code", "device-id", lane.id === null ? journey.userId : lane.id));
      head.appendChild(el("span", "lane-count", lane.sessions.length + (lane.sessions.length === 1 ? " visit" : " visits")));
      section.appendChild(head);
      var list = el("ol", "sessions");
      var joined = { done: false };
      lane.sessions.forEach(function (session) {
        list.appendChild(sessionBlock(session, eventsOf[session.sessionId] || [], journey, joined));
      });
      section.appendChild(list);
      root.appendChild(section);
    });
  }
`;
