/** The page shell; everything dynamic is filled in by the script from the /dev API. */
export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>threadline dev</title>
<link rel="stylesheet" href="/assets/page.css">
</head>
<body>
<header>
  <h1>threadline <span>dev</span></h1>
  <p id="totals" aria-live="polite"></p>
  <p id="status" class="status">connecting…</p>
  <form id="key-form" hidden>
    <label for="key-input">This collector needs its write key</label>
    <input id="key-input" type="password" autocomplete="off" spellcheck="false" required>
    <button type="submit">Unlock</button>
    <span id="key-error" role="alert"></span>
  </form>
  <button id="reset" type="button" title="POST /dev/reset: forget every event and empty the data file">Reset</button>
</header>
<main>
  <nav aria-labelledby="users-title">
    <h2 id="users-title">Users</h2>
    <ul id="users"></ul>
    <p id="no-users" class="empty">No identified user yet. Send an <code>identify</code> with a <code>userId</code>.</p>
  </nav>
  <section id="journey-panel" aria-labelledby="journey-title">
    <h2 id="journey-title">Journey</h2>
    <p id="journey-empty" class="empty">Pick a user to see their journey: a lane per device, each visit with where it came from, anonymous events joined to the user at the identify.</p>
    <dl id="journey-meta"></dl>
    <div id="journey" class="journey"></div>
    <pre id="event-detail" hidden></pre>
  </section>
  <section id="events-panel" aria-labelledby="events-title">
    <h2 id="events-title">Live events</h2>
    <table id="events">
      <thead><tr><th>received</th><th>type</th><th>userId</th><th>anonymousId</th><th>what</th></tr></thead>
      <tbody></tbody>
    </table>
    <p id="no-events" class="empty">Waiting for events on <code>POST /v1/batch</code>…</p>
    <details id="rejected-panel">
      <summary>Rejected <span id="rejected-count">0</span></summary>
      <ul id="rejected"></ul>
    </details>
  </section>
</main>
<script src="/assets/page.js" defer></script>
</body>
</html>
`;
