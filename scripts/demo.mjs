// `npm run demo`: threadline end to end on this machine, no account, no network.
//
// Starts the local collector and the examples/express-signup app, plays one visitor's
// journey through real HTTP requests (an ad click on a laptop, a second look from a phone,
// a signup, a login on the phone), then prints the journey the collector stitched together
// and exits. `--keep` (or THREADLINE_DEMO_KEEP=1) leaves the collector running so its
// page can be opened in a browser; Ctrl-C stops it.
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CLOCK_HEADER, Device } from "./demo-browser.mjs";
import { formatJourney, when } from "./demo-print.mjs";

// The demo runs the built package, as a user's app would; say how to get it if it's missing.
let Analytics, startCollector, createSignupApp;
try {
  ({ Analytics } = await import("../dist/index.js"));
  ({ startCollector } = await import("../dist/dev.js"));
  ({ createSignupApp } = await import("../examples/express-signup/app.mjs"));
} catch (error) {
  if (error?.code !== "ERR_MODULE_NOT_FOUND") throw error;
  process.stderr.write(
    `demo: ${error.message}\nBuild the package first: \`npm run demo\` builds and runs, or \`npm run build\`.\n`,
  );
  process.exit(1);
}

const keep = process.argv.includes("--keep") || ["1", "true", "yes"].includes(process.env.THREADLINE_DEMO_KEEP ?? "");
const print = (line = "") => process.stdout.write(line + "\n");

// A throwaway data file: the demo never mixes with (or wipes) the events of a
// `threadline dev` the user runs for their own app.
const dataDir = mkdtempSync(join(tmpdir(), "threadline-demo-"));
const collector = await startCollector({ port: 0, dataFile: join(dataDir, "events.ndjson"), quiet: true });
// flushAt 1: each event leaves as it happens, as the example's own server.mjs does.
const analytics = new Analytics({ host: collector.url, flushAt: 1 });

// Simulated days. The requests all happen now, but a journey worth showing spans a week.
// A request carrying the demo's clock header has the events it causes stamped with that
// time; nothing else about them changes (the example's own routes make the calls, with the
// request's cookies and context). Everything without the header is stamped now, as usual.
const clock = new AsyncLocalStorage();
const backdate = (message) => {
  const at = clock.getStore();
  return at && message && message.timestamp === undefined ? { ...message, timestamp: at } : message;
};
const tracker = {};
for (const call of ["identify", "track", "page", "screen", "group", "alias"]) {
  tracker[call] = (message, callback) => analytics[call](backdate(message), callback);
}

// Sessions end after 1 s without a request here, not the default 30 minutes, so the demo
// can show a returning visitor's second visit as a second session without waiting.
const SESSION_TIMEOUT_S = 1;
const app = createSignupApp({
  analytics: tracker,
  identity: { mirror: ["segment"], session: { timeoutSeconds: SESSION_TIMEOUT_S } },
});
// The example has no login route; the demo adds one (its own code, not the example's) so
// the phone can sign in the way the example's README advises: identify on login, then
// track what caused it. A real app would check a password and look the user up.
app.post("/demo/login", (req, res) => {
  const userId = String(req.body?.userId ?? "");
  if (!/^[A-Za-z0-9_]+$/.test(userId)) return void res.status(400).type("text").send("a userId is needed");
  req.analytics.identify({ userId });
  req.analytics.track({ event: "Logged In", properties: { method: "email" } });
  res.cookie("session", userId, { httpOnly: true, sameSite: "lax", path: "/" });
  res.redirect(303, "/welcome");
});
const server = createServer((req, res) => {
  const at = req.headers[CLOCK_HEADER];
  if (typeof at === "string" && !Number.isNaN(Date.parse(at))) clock.run(new Date(at), () => app(req, res));
  else app(req, res);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const appUrl = `http://127.0.0.1:${server.address().port}`;

let exitCode = 0;
try {
  print("threadline demo: one visitor, two devices, one thread");
  print();
  print(`  collector  ${collector.url}   (threadline/dev, data in a temp file)`);
  print(
    `  app        ${appUrl}   (examples/express-signup, identity: { mirror: ["segment"], session: { timeoutSeconds: ${SESSION_TIMEOUT_S} } })`,
  );
  print();
  const { userId, devices } = await playJourney(appUrl);
  const result = await analytics.flush();
  print();
  print(
    `Flushed: ${result.delivered} events delivered to the collector, ${result.failed} failed, ${result.dropped} dropped.`,
  );
  if (result.failed > 0 || result.dropped > 0 || result.delivered === 0)
    throw new Error("not every event reached the collector");

  const res = await fetch(`${collector.url}/dev/users/${encodeURIComponent(userId)}`, {
    signal: AbortSignal.timeout(5000),
  });
  if (!res.ok) throw new Error(`the collector answered ${res.status} for ${userId}`);
  const journey = await res.json();
  print();
  for (const line of formatJourney(journey, new Map(devices.map((device) => [device.aid, device.name])))) print(line);
  print();
  for (const line of await visitsByDevice(devices)) print(line);
  print();
  const page = `${collector.url}/#user=${encodeURIComponent(userId)}`;
  if (keep) {
    print(`The collector keeps running: open ${page}`);
    print("to see the journey drawn as a timeline. Ctrl-C stops it.");
  } else {
    print(`Collector page: ${page} (stopped now that the demo is done;`);
    print("run `npm run demo -- --keep` to leave it running and open it in a browser).");
  }
} catch (error) {
  exitCode = 1;
  process.stderr.write(`demo failed: ${error?.stack ?? error}\n`);
} finally {
  server.close();
  server.closeAllConnections();
  await analytics.close({ timeoutMs: 2000 });
  if (!keep || exitCode !== 0) await stop();
}

if (keep && exitCode === 0) {
  for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => void stop().then(() => process.exit(0)));
} else {
  process.exitCode = exitCode;
  // Everything is closed, so the process ends on its own. If something still held it,
  // that is a bug: say so (the demo's test watches for this line), then end anyway.
  setTimeout(() => {
    process.stderr.write("demo: something was still running after cleanup; exiting anyway\n");
    process.exit(exitCode);
  }, 3000).unref();
}

async function stop() {
  await collector.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/** The visitor's week, through the example app's real routes. */
async function playJourney(baseUrl) {
  const laptop = new Device("laptop", baseUrl, "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) Firefox/132.0");
  const phone = new Device(
    "phone",
    baseUrl,
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Mobile/15E148 Safari/604.1",
  );
  const ad = "/?utm_source=facebook&utm_medium=cpc&utm_campaign=spring_launch";
  const lastRequest = new Map(); // device → { at: simulated time, real: Date.now() }
  const step = async (device, path, options = {}) => {
    // A gap of more than 30 simulated minutes is a new visit: wait out the demo's short
    // session timeout in real time, so the middleware starts the visitor's next session.
    const at = options.at ?? new Date();
    const last = lastRequest.get(device);
    if (last !== undefined && at - last.at > 30 * 60_000) {
      const wait = SESSION_TIMEOUT_S * 1000 + 100 - (Date.now() - last.real);
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    }
    // A person takes more than a millisecond between clicks. Distinct timestamps keep the
    // journey's order exact: with flushAt 1 two batches may reach the collector out of order.
    if (!options.at) await new Promise((resolve) => setTimeout(resolve, 2));
    const firstVisit = device.aid === undefined;
    const answer = await device.visit(path, options);
    lastRequest.set(device, { at, real: Date.now() });
    const stamp = options.at ? when(options.at) : "now";
    print(
      `  ${stamp.padEnd(21)} ${device.name.padEnd(7)} ${(options.method ?? "GET").padEnd(4)} ${path}${answer.path !== path ? ` → ${answer.path}` : ""}`,
    );
    if (firstVisit) {
      const mirrored =
        device.cookies.get("ajs_anonymous_id") === device.aid ? ", mirrored in ajs_anonymous_id for analytics.js" : "";
      print(`${" ".repeat(24)}↳ new visitor: the middleware set aid=${device.aid?.slice(0, 8)}…${mirrored}`);
    }
  };

  print("Playing the journey over HTTP (the earlier days are back-dated, see scripts/demo.mjs):");
  await step(laptop, ad, { at: daysAgo(6, 9, 14), referer: "https://www.facebook.com/" });
  await step(laptop, "/pricing", { at: daysAgo(6, 9, 16), referer: `${baseUrl}/` });
  await step(phone, "/pricing", { at: daysAgo(3, 21, 40) });
  await step(phone, "/", { at: daysAgo(3, 21, 42), referer: `${baseUrl}/pricing` });
  await step(laptop, "/pricing", { at: daysAgo(1, 12, 5) });
  // Today: the signup on the laptop (identify + Signed Up), then the phone logs in.
  await step(laptop, "/signup", { referer: `${baseUrl}/pricing` });
  await step(laptop, "/signup", { method: "POST", form: { email: "ada@example.com" }, referer: `${baseUrl}/signup` });
  const userId = laptop.cookies.get("session");
  if (!userId) throw new Error("the signup set no session cookie");
  await step(phone, "/demo/login", { method: "POST", form: { userId }, referer: `${baseUrl}/` });
  // Activity after login, on both devices: known pages on the same thread.
  await step(laptop, "/pricing", { referer: `${baseUrl}/welcome` });
  await step(phone, "/", { referer: `${baseUrl}/welcome` });
  return { userId, devices: [laptop, phone] };
}

/** `days` before today at hh:mm local time: always in the past, whatever the hour now. */
function daysAgo(days, hours, minutes) {
  const date = new Date();
  date.setDate(date.getDate() - days);
  date.setHours(hours, minutes, 0, 0);
  return date;
}

/** `1 event`, `2 events` (a declaration: the demo's top-level code runs before this line). */
function count(n, noun) {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

/** Each device's visits, as the sessions on its events say (context.session, set by the middleware). */
async function visitsByDevice(devices) {
  const lines = ["Visits (sessions: a new one after inactivity; index counts the device's visits):"];
  for (const device of devices) {
    const res = await fetch(`${collector.url}/dev/events?anonymousId=${encodeURIComponent(device.aid)}`, {
      signal: AbortSignal.timeout(5000),
    });
    const { events } = await res.json();
    const sessions = new Map();
    for (const event of events) {
      const session = event.context?.session;
      if (!session) continue;
      const entry = sessions.get(session.sessionId) ?? {
        index: session.sessionIndex,
        events: 0,
        first: event.timestamp,
      };
      entry.events += 1;
      if (event.timestamp < entry.first) entry.first = event.timestamp;
      sessions.set(session.sessionId, entry);
    }
    const list = [...sessions.values()].sort((a, b) => a.index - b.index);
    lines.push(
      `  ${device.name.padEnd(7)} ${count(list.length, "session")}: ${list.map((v) => `#${v.index} ${when(new Date(v.first))} (${count(v.events, "event")})`).join(", ")}`,
    );
  }
  return lines;
}
