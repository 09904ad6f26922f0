import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";
import { Child, dirBytes, removeDir, requireDist, tempDir } from "./helpers.js";

let collector: TestCollector | undefined;
let dir: string | undefined;
const children: Child[] = [];
beforeAll(requireDist);
afterEach(async () => {
  for (const child of children.splice(0)) await child.kill();
  await collector?.close();
  collector = undefined;
  if (dir !== undefined) removeDir(dir);
  dir = undefined;
});

const EVENTS = 200_000;

describe("a long outage with a spool", () => {
  it("200,000 events during an outage: RSS stays bounded (far below holding them in memory), all delivered after recovery", async () => {
    let down = true;
    collector = await startTestCollector(() => (down ? { status: 503 } : { status: 200 }));
    dir = tempDir("rss");
    const common = {
      HOST: collector.url,
      COUNT: String(EVENTS),
      PER_TURN: "1000",
      RSS: "1",
      THEN: "hold",
      CLOSE_MS: "90000",
    };

    // The same stream without a spool, its queue raised to hold it all: the in-memory size.
    const inMemory = new Child({ ...common, NO_SPOOL: "1", MAX_QUEUE: String(EVENTS), TAG: "m" });
    children.push(inMemory);
    const memoryRun = await inMemory.waitForLine((line) => line.tracked !== undefined, 60_000, "tracked (no spool)");
    await inMemory.kill();

    const spooled = new Child({ ...common, DIR: dir, TAG: "s" }, undefined, 120_000);
    children.push(spooled);
    const spoolRun = await spooled.waitForLine((line) => line.tracked !== undefined, 60_000, "tracked (spool)");
    expect(spoolRun.pending).toBe(EVENTS);
    const onDisk = dirBytes(dir);

    const memoryGrowth = memoryRun.peakRss! - memoryRun.baseRss!;
    const spoolGrowth = spoolRun.peakRss! - spoolRun.baseRss!;
    console.log(
      `outage of ${EVENTS} events: RSS grew ${(spoolGrowth / 2 ** 20).toFixed(1)} MiB with the spool (${(onDisk / 2 ** 20).toFixed(1)} MiB on disk), ` +
        `${(memoryGrowth / 2 ** 20).toFixed(1)} MiB holding them in memory`,
    );
    expect(memoryGrowth).toBeGreaterThan(40 * 2 ** 20);
    expect(spoolGrowth).toBeLessThan(memoryGrowth / 2);
    expect(onDisk).toBeGreaterThan(EVENTS * 200);

    down = false;
    spooled.send("close");
    const closed = await spooled.waitForLine((line) => line.closed !== undefined, 100_000, "closed");
    expect(closed.closed).toEqual({ delivered: EVENTS, failed: 0, dropped: 0, pending: 0 });
    expect(new Set(collector.deliveredIds).size).toBe(EVENTS);
    expect(dirBytes(dir)).toBe(0);
  }, 180_000);
});
