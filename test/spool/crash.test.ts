import { readdirSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";
import { Child, removeDir, requireDist, seeded, tempDir } from "./helpers.js";

// These run the built package in child processes and kill them with SIGKILL: the spool
// is what survives. "Accepted" is what a child reported after a setImmediate that
// followed the calls, which is exactly when DESIGN.md says the message is with the kernel.

let collector: TestCollector | undefined;
let dir: string | undefined;
beforeAll(requireDist);
afterEach(async () => {
  await collector?.close();
  collector = undefined;
  if (dir !== undefined) removeDir(dir);
  dir = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("crash loop", () => {
  it("30 SIGKILLs at random moments, each restart on the same dir: every accepted event arrives, duplicates counted", async () => {
    collector = await startTestCollector();
    dir = tempDir("crash");
    const random = seeded(13);
    const accepted = new Set<string>();
    let wireBeforeFinal = 0;
    for (let run = 0; run < 30; run++) {
      const child = new Child({ DIR: dir, HOST: collector.url, TAG: `r${run}`, COUNT: "stream", PER_TURN: "20" });
      await child.waitForLine((line) => line.ready !== undefined, 20_000, "ready");
      await sleep(50 + Math.floor(random() * 550));
      await child.kill();
      for (const id of child.accepted) accepted.add(id);
      expect(child.stderr).toBe("");
    }
    wireBeforeFinal = collector.deliveredIds.length;
    const last = new Child({ DIR: dir, HOST: collector.url, TAG: "final", COUNT: "0", THEN: "close" });
    const closed = await last.waitForLine((line) => line.closed !== undefined, 30_000, "closed");
    await last.exited;

    const delivered = new Set(collector.deliveredIds);
    const missing = [...accepted].filter((id) => !delivered.has(id));
    const duplicates = collector.deliveredIds.length - delivered.size;
    console.log(
      `crash loop: ${accepted.size} accepted by 30 killed processes, ${delivered.size} distinct delivered, ` +
        `${missing.length} missing, ${duplicates} duplicates on the wire (${(duplicates / 30).toFixed(1)} per crash); ` +
        `the final process sent ${collector.deliveredIds.length - wireBeforeFinal} left by the last one`,
    );
    expect(accepted.size).toBeGreaterThan(1000);
    expect(missing).toEqual([]);
    expect(closed.closed!.failed).toBe(0);
    // Everything delivered and the last process closed: nothing left on disk.
    expect(readdirSync(dir).filter((file) => !file.endsWith(".tmp"))).toEqual([]);
  }, 120_000);
});

describe("SIGKILL during a collector outage", () => {
  it("a restart after the collector is back delivers everything the killed process accepted", async () => {
    let down = true;
    collector = await startTestCollector(() => (down ? { status: 503 } : { status: 200 }));
    dir = tempDir("outage");
    const child = new Child({ DIR: dir, HOST: collector.url, TAG: "out", COUNT: "500", THEN: "hold" });
    await child.waitForLine((line) => line.tracked !== undefined, 20_000, "tracked");
    // Let it retry against the outage for a while: batches are in flight when it dies.
    await sleep(150);
    expect(collector.requests.length).toBeGreaterThan(0);
    await child.kill();
    expect(collector.deliveredIds).toEqual([]);
    down = false;
    const next = new Child({ DIR: dir, HOST: collector.url, TAG: "next", COUNT: "0", THEN: "close" });
    const ready = await next.waitForLine((line) => line.ready !== undefined, 20_000, "ready");
    // Adopted messages count as held from construction on.
    expect(ready.pending).toBe(500);
    const closed = await next.waitForLine((line) => line.closed !== undefined, 30_000, "closed");
    expect(child.accepted).toHaveLength(500);
    expect(new Set(collector.deliveredIds)).toEqual(new Set(child.accepted));
    expect(closed.closed).toEqual({ delivered: 500, failed: 0, dropped: 0, pending: 0 });
  });
});
