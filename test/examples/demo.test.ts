// `npm run demo` end to end: scripts/demo.mjs in a child process, against the built dist/.
// It must finish by itself well inside the 30 s budget, print the journey the collector
// stitched (both devices, both identifies, anonymous days before known events) and leave
// no server behind.
import { describe, expect, test } from "vitest";
import { isListening, spawnNode } from "./helpers.js";

const BUDGET_MS = 30_000;

/** The journey table's rows: when, device, phase, type, what. */
function journeyRows(stdout: string) {
  const table = stdout.slice(stdout.indexOf("Stitched journey of"));
  const row = /^ {2}(\w{3} \d{2} \w{3}) [\d:]{8} +(laptop|phone) +(anonymous|known) +(\w+) +(.*)$/gm;
  return [...table.matchAll(row)].map(([, day, device, phase, type, what]) => ({
    day,
    device,
    phase,
    type,
    what: what!.trim(),
  }));
}

const portsIn = (stdout: string) => ({
  collector: Number(/collector +http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]),
  app: Number(/app +http:\/\/127\.0\.0\.1:(\d+)/.exec(stdout)?.[1]),
});

describe("scripts/demo.mjs", () => {
  test(
    "plays the journey, prints it stitched across two devices, exits 0 with nothing left listening",
    { timeout: BUDGET_MS + 10_000 },
    async () => {
      const demo = spawnNode(["scripts/demo.mjs"]);
      const { code, signal, ms } = await demo.exit(BUDGET_MS);
      const out = demo.stdout();
      expect({ code, signal, stderr: demo.stderr() }).toEqual({ code: 0, signal: null, stderr: "" });
      expect(ms).toBeLessThan(BUDGET_MS);

      expect(out).toMatch(/Flushed: (\d+) events delivered to the collector, 0 failed, 0 dropped/);
      expect(out).toMatch(/devices +2: laptop \(aid [0-9a-f]{8}…\), phone \(aid [0-9a-f]{8}…\)/);
      expect(out).toContain("first touch  facebook / cpc / spring_launch, referrer https://www.facebook.com/");
      expect(out).toMatch(/identified +\w{3} \d{2} \w{3} [\d:]{8}/);
      // A returning visitor's visits are separate sessions, numbered per device.
      expect(out).toMatch(/laptop +3 sessions: #1 [^,]+\(2 events\), #2 [^,]+\(1 event\), #3 /);
      expect(out).toMatch(/phone +2 sessions: #1 [^,]+\(2 events\), #2 /);
      // The collector's sessions: each device's visits, the laptop's first one from the ad.
      expect(out).toMatch(/visits +\d+: laptop \d+ \(facebook \/ cpc \/ spring_launch[^)]*\), phone \d+ \(/);

      const rows = journeyRows(out);
      const delivered = Number(/Flushed: (\d+)/.exec(out)![1]);
      // Every event the demo delivered is on this user's thread.
      expect(rows).toHaveLength(delivered);
      // The ad click on the laptop comes first; the phone browsed anonymously too.
      expect(rows[0]).toMatchObject({
        device: "laptop",
        phase: "anonymous",
        type: "page",
        what: expect.stringContaining("utm_source=facebook"),
      });
      expect(rows.filter((r) => r.phase === "anonymous").map((r) => r.device)).toEqual(
        expect.arrayContaining(["laptop", "phone"]),
      );
      // Simulated days: the anonymous visits span several calendar days before the signup.
      expect(new Set(rows.filter((r) => r.phase === "anonymous").map((r) => r.day)).size).toBeGreaterThanOrEqual(3);
      // Identification: the laptop's signup, then the phone's login, each an identify + track.
      const known = rows.filter((r) => r.phase === "known");
      // `what` is columns apart by two or more spaces: its first column names the event.
      expect(known.map((r) => [r.device, r.type, r.what.split(/ {2,}/)[0]])).toEqual([
        ["laptop", "identify", "userId=user_1"],
        ["laptop", "track", "Signed Up"],
        ["laptop", "page", "Welcome"],
        ["phone", "identify", "userId=user_1"],
        ["phone", "track", "Logged In"],
        ["phone", "page", "Welcome"],
        ["laptop", "page", "Pricing"],
        ["phone", "page", "Home"],
      ]);
      // Nothing known before the first identify, nothing anonymous after it.
      const firstKnown = rows.findIndex((r) => r.phase === "known");
      expect(rows.slice(firstKnown).every((r) => r.phase === "known")).toBe(true);
      expect(out).toMatch(/── identify on laptop: .* user_1 ──\n.*laptop +known +identify/);
      expect(out).toMatch(/── identify on phone: .* user_1 ──\n.*phone +known +identify/);
      expect(out).toMatch(/identified +\w{3} \d{2} \w{3} [\d:]{8} \(identify on laptop\)/);

      // The page URL is printed, and how to keep the collector up to open it.
      const ports = portsIn(out);
      expect(out).toContain(`Collector page: http://127.0.0.1:${ports.collector}/#user=user_1`);
      expect(out).toContain("npm run demo -- --keep");
      expect(await isListening(ports.collector)).toBe(false);
      expect(await isListening(ports.app)).toBe(false);
    },
  );

  test(
    "--keep leaves the collector serving the journey until SIGTERM, then exits 0",
    { timeout: BUDGET_MS + 10_000 },
    async () => {
      const demo = spawnNode(["scripts/demo.mjs", "--keep"]);
      const [, page] = await demo.waitFor(/The collector keeps running: open (http:\/\/\S+)/, BUDGET_MS);
      const ports = portsIn(demo.stdout());
      const base = page!.slice(0, page!.indexOf("/#"));

      const journey = (await (await fetch(`${base}/dev/users/user_1`)).json()) as Record<string, any>;
      expect(journey).toMatchObject({
        userId: "user_1",
        devices: 2,
        firstTouch: { source: "facebook", campaign: "spring_launch" },
      });
      const html = await fetch(`${base}/`);
      expect(html.status).toBe(200);
      expect(await html.text()).toContain("<html");
      // Only the collector stays: the app and the client are done.
      expect(await isListening(ports.app)).toBe(false);
      expect(demo.process.exitCode).toBeNull();

      demo.process.kill("SIGTERM");
      const { code, signal } = await demo.exit(5000);
      expect({ code, signal, stderr: demo.stderr() }).toEqual({ code: 0, signal: null, stderr: "" });
      expect(await isListening(ports.collector)).toBe(false);
    },
  );
});
