import { JOURNEY_JS } from "./journey-script.js";

/**
 * The page's script, plain browser JavaScript (no build step). It polls the /dev API
 * once a second. Every piece of event data is written with textContent, never as HTML.
 * With a write key, the /dev API answers 401 until the page sends it: the page asks once
 * and keeps it in sessionStorage, i.e. for this tab only.
 * Kept free of backticks and dollar-brace so it can live in this template string.
 */
export const PAGE_JS = `"use strict";
(function () {
  var POLL_MS = 1000;
  var MAX_ROWS = 300;
  // The page lists the newest few; asking for only those keeps a second's poll small.
  var MAX_REJECTED = 50;
  var KEY_STORE = "threadline-dev-write-key";
  var state = { seen: new Set(), since: null, users: [], selected: null, journeyKey: "", eventCount: 0, locked: false, polling: false };

  function byId(id) { return document.getElementById(id); }
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  // ---- the write key ---------------------------------------------------------------------
  function base64(text) {
    var binary = "";
    new TextEncoder().encode(text).forEach(function (byte) { binary += String.fromCharCode(byte); });
    return btoa(binary);
  }
  function authHeaders() {
    var key = sessionStorage.getItem(KEY_STORE);
    // As Segment sends it: the key is the Basic username, the password empty.
    return key === null ? {} : { Authorization: "Basic " + base64(key + ":") };
  }
  function askForKey() {
    state.locked = true;
    var form = byId("key-form");
    byId("key-error").textContent = sessionStorage.getItem(KEY_STORE) === null ? "" : "that key was refused";
    if (form.hidden) {
      form.hidden = false;
      byId("key-input").focus();
    }
  }
  byId("key-form").addEventListener("submit", function (event) {
    event.preventDefault();
    sessionStorage.setItem(KEY_STORE, byId("key-input").value);
    byId("key-form").hidden = true;
    state.locked = false;
    poll();
  });
  function NeedsKey() {}
  function getJson(path) {
    return fetch(path, { cache: "no-store", headers: authHeaders() }).then(function (res) {
      if (res.status === 401) { askForKey(); throw new NeedsKey(); }
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

  function renderRejected(answer) {
    var rejected = answer.rejected;
    byId("rejected-count").textContent = String(rejected.length + answer.omitted);
    var list = byId("rejected");
    list.textContent = "";
    rejected.slice().reverse().forEach(function (entry) {
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

  // ---- journey ---------------------------------------------------------------------------
${JOURNEY_JS}
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
    if (state.locked || state.polling) return;
    state.polling = true;
    var query = state.since ? "?since=" + encodeURIComponent(state.since) : "?limit=" + MAX_ROWS;
    Promise.all([getJson("/dev/events" + query), getJson("/dev/users"), getJson("/dev/rejected?limit=" + MAX_REJECTED)])
      .then(function (answers) {
        addEvents(answers[0].events);
        renderUsers(answers[1].users);
        renderRejected(answers[2]);
        setStatus(true);
        return refreshJourney();
      })
      .catch(function (error) { if (!(error instanceof NeedsKey)) setStatus(false); })
      // Locked: polling resumes when the key is given.
      .then(function () {
        state.polling = false;
        if (!state.locked) setTimeout(poll, POLL_MS);
      });
  }

  window.addEventListener("hashchange", function () {
    state.selected = selectedFromHash();
    state.journeyKey = "";
    renderUsers(state.users);
    refreshJourney().catch(function () { /* the next poll says what is wrong */ });
  });
  byId("reset").addEventListener("click", function () {
    fetch("/dev/reset", { method: "POST", headers: authHeaders() }).then(function () { location.reload(); });
  });
  state.selected = selectedFromHash();
  poll();
})();
`;
