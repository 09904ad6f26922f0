/**
 * The page's script, plain browser JavaScript (no build step). It polls the /dev API
 * once a second. Every piece of event data is written with textContent, never as HTML.
 * Kept free of backticks and dollar-brace so it can live in this template string.
 */
export const PAGE_JS = `"use strict";
(function () {
  var POLL_MS = 1000;
  var MAX_ROWS = 300;
  var state = { seen: new Set(), since: null, users: [], selected: null, journeyKey: "", eventCount: 0 };

  function byId(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function getJson(path) {
    return fetch(path, { cache: "no-store" }).then(function (res) {
      if (!res.ok) throw new Error(path + " answered " + res.status);
      return res.json();
    });
  }
  function idText(value) { return value === undefined || value === null ? "" : String(value); }
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function clock(date) { return pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()); }
  function day(date) { return date.toLocaleDateString(undefined, { month: "short", day: "numeric" }); }
  function timeOf(message) {
    var t = typeof message.timestamp === "number" ? message.timestamp : Date.parse(message.timestamp);
    return new Date(isFinite(t) ? t : Date.parse(message.receivedAt));
  }
  function what(message) {
    var props = message.properties || {};
    var page = (message.context && message.context.page) || {};
    switch (message.type) {
      case "track": return message.event;
      case "page": case "screen": return message.name || props.path || page.path || message.type;
      case "group": return "group " + idText(message.groupId);
      case "alias": return "alias " + idText(message.previousId) + " \\u2192 " + idText(message.userId);
      default: return message.type;
    }
  }

  function setStatus(ok) {
    var status = byId("status");
    status.textContent = ok ? "live \\u00b7 polling every second" : "collector unreachable, retrying\\u2026";
    status.classList.toggle("offline", !ok);
  }

  // ---- live events ---------------------------------------------------------------
  function addEvents(events) {
    var body = byId("events").tBodies[0];
    events.forEach(function (message) {
      if (state.seen.has(message.messageId)) return;
      state.seen.add(message.messageId);
      state.eventCount += 1;
      if (!state.since || message.receivedAt > state.since) state.since = message.receivedAt;
      var row = el("tr", "fresh");
      row.appendChild(el("td", "", clock(new Date(message.receivedAt))));
      row.appendChild(el("td", "type", message.type));
      row.appendChild(el("td", "", idText(message.userId)));
      row.appendChild(el("td", "", idText(message.anonymousId)));
      row.appendChild(el("td", "", what(message)));
      body.insertBefore(row, body.firstChild);
    });
    while (body.rows.length > MAX_ROWS) body.deleteRow(body.rows.length - 1);
    byId("no-events").hidden = state.eventCount > 0;
  }

  function renderRejected(rejected) {
    byId("rejected-count").textContent = String(rejected.length);
    var list = byId("rejected");
    list.textContent = "";
    rejected.slice(-50).reverse().forEach(function (entry) {
      var item = el("li");
      item.appendChild(el("span", "reason", entry.reason));
      item.appendChild(el("code", "", " " + JSON.stringify(entry.message).slice(0, 200)));
      list.appendChild(item);
    });
  }

  // ---- users ------------------------------------------------------------------------
  function selectedFromHash() {
    var match = /^#user=(.*)$/.exec(location.hash);
    return match ? decodeURIComponent(match[1]) : null;
  }
  function renderUsers(users) {
    state.users = users;
    if (state.selected === null && users.length > 0) state.selected = users[0].userId;
    var list = byId("users");
    list.textContent = "";
    users.forEach(function (user) {
      var button = el("button");
      button.type = "button";
      button.dataset.userId = user.userId;
      button.setAttribute("aria-current", String(user.userId === state.selected));
      button.appendChild(el("span", "user-id", user.userId));
      button.appendChild(el("span", "user-counts", user.events + " events \\u00b7 " + user.devices + (user.devices === 1 ? " device" : " devices")));
      button.addEventListener("click", function () { location.hash = "user=" + encodeURIComponent(user.userId); });
      var item = el("li");
      item.appendChild(button);
      list.appendChild(item);
    });
    byId("no-users").hidden = users.length > 0;
    byId("totals").textContent = state.eventCount + " events \\u00b7 " + users.length + (users.length === 1 ? " user" : " users");
  }

  // ---- journey timeline: one column per event, a lane per device, the identify as the join
  function place(node, column, row, rowEnd) {
    node.style.gridColumn = String(column);
    node.style.gridRow = rowEnd ? row + " / " + rowEnd : String(row);
    return node;
  }
  function renderMeta(journey) {
    var meta = byId("journey-meta");
    meta.textContent = "";
    var touch = journey.firstTouch || {};
    var source = [touch.source, touch.medium, touch.campaign].filter(Boolean).join(" / ") || "direct";
    [["identified", journey.identifiedAt ? new Date(journey.identifiedAt).toLocaleString() : "\\u2014"],
     ["devices", journey.devices],
     ["first touch", source],
     ["referrer", touch.referrer || "\\u2014"]].forEach(function (pair) {
      var item = el("div");
      item.appendChild(el("dt", "", pair[0]));
      item.appendChild(el("dd", "meta-" + pair[0].replace(" ", "-"), pair[1]));
      meta.appendChild(item);
    });
  }
  function renderJourney(journey) {
    byId("journey-empty").hidden = true;
    byId("journey-title").textContent = "Journey of " + journey.userId;
    renderMeta(journey);
    var grid = byId("journey");
    var scroller = byId("journey-scroll");
    // A live refresh of the same journey keeps the reader's place; a new one opens at its start.
    var keepScroll = grid.dataset.userId === journey.userId ? scroller.scrollLeft : 0;
    grid.dataset.userId = journey.userId;
    grid.textContent = "";
    var laneRow = {};
    journey.anonymousIds.forEach(function (id, index) { laneRow[id] = index + 3; });
    grid.style.gridTemplateColumns = "150px repeat(" + Math.max(journey.events.length, 1) + ", minmax(112px, 1fr))";
    // An empty sticky corner, so scrolled time labels pass under it like the events do.
    grid.appendChild(place(el("div", "lane-label corner"), 1, 1));

    var userLabel = place(el("div", "lane-label known"), 1, 2);
    userLabel.appendChild(el("strong", "", "known"));
    userLabel.appendChild(el("small", "", journey.userId));
    grid.appendChild(userLabel);
    grid.appendChild(place(el("div", "lane-line known"), "2 / -1", 2));
    journey.anonymousIds.forEach(function (id, index) {
      var label = place(el("div", "lane-label anonymous"), 1, laneRow[id]);
      label.dataset.anonymousId = id;
      label.appendChild(el("strong", "", "device " + (index + 1)));
      label.appendChild(el("small", "", id));
      grid.appendChild(label);
      grid.appendChild(place(el("div", "lane-line anonymous"), "2 / -1", laneRow[id]));
    });

    var lastDay = "";
    var joined = false;
    journey.events.forEach(function (message, index) {
      var column = index + 2;
      var date = timeOf(message);
      var isJoin = (message.type === "identify" || message.type === "alias") && message.phase === "known";
      var header = place(el("div", "col-time"), column, 1);
      var thisDay = day(date);
      header.textContent = (thisDay !== lastDay ? thisDay + " " : "") + clock(date).slice(0, 5);
      lastDay = thisDay;
      if (isJoin && !joined && message.type === "identify") {
        header.classList.add("identified");
        header.appendChild(el("span", "identified-tag", "identified"));
        joined = true;
      }
      grid.appendChild(header);

      var anonymousId = idText(message.type === "alias" ? message.previousId : message.anonymousId);
      var row = message.phase === "known" ? 2 : laneRow[anonymousId] || 2;
      if (isJoin && laneRow[anonymousId]) {
        var join = place(el("div", "join"), column, 2, laneRow[anonymousId] + 1);
        join.title = message.type + ": " + anonymousId + " \\u2192 " + journey.userId;
        grid.appendChild(join);
        grid.appendChild(place(el("div", "join-dot"), column, laneRow[anonymousId]));
      }
      var pill = place(el("button", "event " + message.phase + " " + message.type, what(message)), column, row);
      pill.type = "button";
      pill.title = message.type + " \\u00b7 " + date.toLocaleString();
      pill.addEventListener("click", function () {
        var detail = byId("event-detail");
        detail.hidden = false;
        detail.textContent = JSON.stringify(message, null, 2);
      });
      grid.appendChild(pill);
    });
    // The story starts with the first touch: a journey opens at its beginning.
    scroller.scrollLeft = keepScroll;
  }
  function showEmptyJourney(text) {
    byId("journey-title").textContent = "Journey";
    byId("journey-meta").textContent = "";
    byId("journey").textContent = "";
    var empty = byId("journey-empty");
    empty.hidden = false;
    if (text) empty.textContent = text;
  }
  function refreshJourney() {
    var user = state.users.filter(function (u) { return u.userId === state.selected; })[0];
    if (!user) {
      if (state.selected !== null) showEmptyJourney("No message has userId \u201c" + state.selected + "\u201d yet.");
      return Promise.resolve();
    }
    var key = user.userId + "|" + user.events + "|" + user.devices;
    if (key === state.journeyKey) return Promise.resolve();
    return getJson("/dev/users/" + encodeURIComponent(user.userId)).then(function (journey) {
      state.journeyKey = key;
      renderJourney(journey);
    });
  }

  // ---- polling ------------------------------------------------------------------------
  function poll() {
    var query = state.since ? "?since=" + encodeURIComponent(state.since) : "?limit=" + MAX_ROWS;
    Promise.all([getJson("/dev/events" + query), getJson("/dev/users"), getJson("/dev/rejected")])
      .then(function (answers) {
        addEvents(answers[0].events);
        renderUsers(answers[1].users);
        renderRejected(answers[2].rejected);
        setStatus(true);
        return refreshJourney();
      })
      .catch(function () { setStatus(false); })
      .then(function () { setTimeout(poll, POLL_MS); });
  }

  window.addEventListener("hashchange", function () {
    state.selected = selectedFromHash();
    state.journeyKey = "";
    renderUsers(state.users);
    refreshJourney();
  });
  byId("reset").addEventListener("click", function () {
    fetch("/dev/reset", { method: "POST" }).then(function () { location.reload(); });
  });
  state.selected = selectedFromHash();
  poll();
})();
`;
