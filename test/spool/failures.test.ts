import { chmodSync, closeSync, readdirSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Analytics, type ThreadlineError } from "../../src/index.js";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";
import { Child, removeDir, requireDist, tempDir } from "./helpers.js";

let collector: TestCollector | undefined;
const dirs: string[] = [];
const clients: Analytics[] = [];
beforeAll(requireDist);
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close({ timeoutMs: 2000 });
  await collector?.close();
  collector = undefined;
  for (const dir of dirs.splice(0)) removeDir(dir);
});

function dirFor(label: string): string {
  const dir = tempDir(label);
  dirs.push(dir);
  return dir;
}

function client(options: ConstructorParameters<typeof Analytics>[0]): {
  analytics: Analytics;
  errors: ThreadlineError[];
} {
  const analytics = new Analytics({
    host: collector!.url,
    flushInterval: 20,
    minRetryDelay: 10,
    maxRetryDelay: 50,
    maxRetries: 100_000,
    ...options,
  });
  clients.push(analytics);
  const errors: ThreadlineError[] = [];
  analytics.on("error", (error) => errors.push(error));
  return { analytics, errors };
}

const track = (analytics: Analytics, prefix: string, count: number) => {
  for (let i = 0; i < count; i++)
    analytics.track({
      event: "Spool Test",
      userId: "u1",
      messageId: `${prefix}-${i}`,
      properties: { pad: "x".repeat(200) },
    });
};

/** A process that accepted `count` messages while the collector was down, then was killed. */
async function killedDuringOutage(dir: string, tag: string, count: number): Promise<string[]> {
  const down = await startTestCollector(() => ({ status: 503 }));
  const child = new Child({ DIR: dir, HOST: down.url, TAG: tag, COUNT: String(count), THEN: "hold" });
  await child.waitForLine((line) => line.tracked !== undefined, 20_000, "tracked");
  await child.kill();
  await down.close();
  expect(child.accepted).toHaveLength(count);
  return child.accepted;
}

describe("recovery", () => {
  it("adopted messages count as accepted at construction: a flush() with no call of its own delivers them", async () => {
    const dir = dirFor("adopt");
    const accepted = await killedDuringOutage(dir, "k", 120);
    collector = await startTestCollector();
    const { analytics, errors } = client({ spool: dir });
    expect(analytics.pending).toBe(120);
    expect(await analytics.flush()).toEqual({ delivered: 120, failed: 0, dropped: 0, pending: 0 });
    expect(new Set(collector.deliveredIds)).toEqual(new Set(accepted));
    // Original messageIds, and original bodies.
    expect(collector.requests[0].body.batch[0]).toMatchObject({ type: "track", event: "Spool Test", userId: "u1" });
    expect(errors).toEqual([]);
  });

  it("a torn last record and a garbage file: spool_corrupt says how many were skipped, the rest is delivered", async () => {
    const dir = dirFor("corrupt");
    const accepted = await killedDuringOutage(dir, "t", 200);
    const [segment] = readdirSync(dir).filter((file) => file.endsWith(".seg"));
    truncateSync(join(dir, segment), statSync(join(dir, segment)).size - 5);
    // A file that looks like a gone process's segment but holds no records.
    writeFileSync(
      join(dir, "tl-4000000-00ff00ff.0.seg"),
      Buffer.from("\xff\x01 not a record, just garbage bytes \x00\x13".repeat(20), "latin1"),
    );
    collector = await startTestCollector();
    const { analytics, errors } = client({ spool: dir });
    expect(await analytics.flush()).toEqual({ delivered: 199, failed: 0, dropped: 0, pending: 0 });
    expect(errors.map((error) => error.code)).toEqual(["spool_corrupt"]);
    expect(errors[0].message).toContain("Skipped 2 corrupt or torn records");
    expect(new Set(collector.deliveredIds)).toEqual(new Set(accepted.slice(0, 199)));
    // The garbage is gone, not reported again by the next process.
    expect(readdirSync(dir).filter((file) => file.startsWith("tl-4000000"))).toEqual([]);
  });
});

/** `spool_unavailable` exactly once, and every call delivered from memory. */
async function expectInMemory(child: Child, count: number, detail: string): Promise<void> {
  const closed = await child.waitForLine((line) => line.closed !== undefined, 30_000, "closed");
  const unavailable = child.errors("spool_unavailable");
  expect(unavailable).toHaveLength(1);
  expect(unavailable[0].message).toContain(detail);
  expect(closed.closed).toEqual({ delivered: count, failed: 0, dropped: 0, pending: 0 });
  expect(new Set(collector!.deliveredIds)).toEqual(new Set(child.accepted));
  expect(child.accepted).toHaveLength(count);
}

const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const CHILD = resolve(__dirname, "child.mjs");

/** Runs the child inside its own mount namespace, with a tmpfs mounted on `dir` (`mountOptions`). */
function inOwnTmpfs(dir: string, mountOptions: string): string[] {
  const shell = `mount -t tmpfs -o ${mountOptions} tmpfs "$0" && exec "$1" "$2"`;
  const unshare = isRoot
    ? ["unshare", "--mount", "--propagation", "private"]
    : ["unshare", "--user", "--map-root-user", "--mount"];
  return [...unshare, "sh", "-c", shell, dir, process.execPath, CHILD];
}

describe("a spool that cannot be written", () => {
  it("a path under a regular file (ENOTDIR): spool_unavailable once, calls delivered from memory", async () => {
    collector = await startTestCollector();
    const base = dirFor("notdir");
    writeFileSync(join(base, "file"), "a regular file");
    const { analytics, errors } = client({ spool: join(base, "file", "spool") });
    track(analytics, "n", 50);
    expect(await analytics.flush()).toEqual({ delivered: 50, failed: 0, dropped: 0, pending: 0 });
    track(analytics, "m", 50);
    expect(await analytics.flush()).toEqual({ delivered: 50, failed: 0, dropped: 0, pending: 0 });
    expect(errors.map((error) => error.code)).toEqual(["spool_unavailable"]);
    expect(errors[0].message).toContain("ENOTDIR");
  });

  it("a directory its user may not write (EACCES): spool_unavailable once, calls delivered from memory", async () => {
    collector = await startTestCollector();
    const dir = dirFor("eacces");
    // Root ignores permission bits, so as root the child drops to `nobody` once it has loaded.
    chmodSync(dir, isRoot ? 0o755 : 0o555);
    const child = new Child({
      DIR: join(dir, "spool"),
      HOST: collector.url,
      TAG: "p",
      COUNT: "100",
      THEN: "close",
      ...(isRoot ? { SETUID: "65534" } : {}),
    });
    await expectInMemory(child, 100, "EACCES");
  });

  it("a disk that answers ENOSPC partway (a 64 KiB tmpfs): spool_unavailable once, nothing lost", async () => {
    collector = await startTestCollector();
    const dir = dirFor("enospc");
    const child = new Child(
      { DIR: dir, HOST: collector.url, TAG: "s", COUNT: "2000", PER_TURN: "100", THEN: "close" },
      inOwnTmpfs(dir, "size=64k"),
    );
    await expectInMemory(child, 2000, "ENOSPC");
  });

  it("a read-only file system (EROFS): spool_unavailable once, calls delivered from memory", async () => {
    collector = await startTestCollector();
    const dir = dirFor("erofs");
    const child = new Child(
      { DIR: dir, HOST: collector.url, TAG: "r", COUNT: "100", THEN: "close" },
      inOwnTmpfs(dir, "ro"),
    );
    await expectInMemory(child, 100, "EROFS");
  });
});

describe("a backlog that cannot be read back", () => {
  it("fails those messages (spool_corrupt) instead of crashing; the rest is delivered", async () => {
    let down = true;
    collector = await startTestCollector(() => (down ? { status: 503 } : { status: 200 }));
    const dir = dirFor("unreadable");
    const { analytics, errors } = client({ spool: dir, maxQueueSize: 40 });
    track(analytics, "u", 200);
    await new Promise((resolve) => setImmediate(resolve));
    // Pull the file out from under the backlog: its reads now fail (EBADF), as a failing disk's would (EIO).
    const spool = (analytics as unknown as { batcher: { queue: { spool: { segments: Array<{ fd: number }> } } } })
      .batcher.queue.spool;
    closeSync(spool.segments[0].fd);
    down = false;
    const result = await analytics.flush();
    expect(result.delivered).toBe(40);
    expect(result.failed).toBe(160);
    expect(new Set(collector.deliveredIds).size).toBe(40);
    await new Promise((resolve) => setImmediate(resolve));
    expect(errors.map((error) => error.code)).toContain("spool_corrupt");
    expect(errors.find((error) => error.code === "spool_corrupt")!.message).toContain(
      "Could not read 160 spooled messages back",
    );
  });
});

describe("bounds", () => {
  it("maxBytes reached during an outage: the oldest spooled messages are dropped (spool_full), counted, the rest delivered", async () => {
    let down = true;
    collector = await startTestCollector(() => (down ? { status: 503 } : { status: 200 }));
    const dir = dirFor("full");
    const { analytics } = client({ spool: { dir, maxBytes: 64 * 1024 }, maxQueueSize: 50, flushAt: 20 });
    const dropped: string[] = [];
    const reasons = new Set<string>();
    analytics.on("drop", (event) => {
      reasons.add(event.reason);
      dropped.push(...event.messageIds);
    });
    for (let turn = 0; turn < 10; turn++) {
      track(analytics, `f${turn}`, 100);
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(analytics.pending).toBeLessThan(1000);
    down = false;
    const result = await analytics.flush();
    expect(reasons).toEqual(new Set(["spool_full"]));
    expect(result.dropped).toBe(dropped.length);
    expect(result.dropped).toBeGreaterThan(500);
    expect(result.delivered + result.dropped).toBe(1000);
    const delivered = new Set(collector.deliveredIds);
    expect(delivered.size).toBe(result.delivered);
    for (const id of dropped) expect(delivered.has(id)).toBe(false);
    // The oldest went: every message after the newest dropped one arrived (the ones that
    // survived from before it were in flight, which a drop never touches).
    const order = (id: string) => Number(id.slice(1, id.indexOf("-"))) * 100 + Number(id.slice(id.indexOf("-") + 1));
    const newestDropped = Math.max(...dropped.map(order));
    expect(newestDropped).toBeLessThan(950);
    for (let n = newestDropped + 1; n < 1000; n++)
      expect(delivered.has(`f${Math.floor(n / 100)}-${n % 100}`)).toBe(true);
  });

  it("spool size returns to (near) zero after delivery, round after round (a long-lived process does not grow it)", async () => {
    collector = await startTestCollector();
    const dir = dirFor("shrink");
    const { analytics } = client({ spool: dir });
    let largest = 0;
    for (let round = 0; round < 20; round++) {
      track(analytics, `s${round}`, 1500);
      await new Promise((resolve) => setImmediate(resolve));
      largest = Math.max(largest, sizeOf(dir));
      await analytics.flush();
      await new Promise((resolve) => setImmediate(resolve));
      expect(sizeOf(dir)).toBeLessThan(256);
    }
    expect(new Set(collector.deliveredIds).size).toBe(30_000);
    // One round's messages at most (1500 × ~330 bytes), never the sum of the rounds.
    expect(largest).toBeGreaterThan(300_000);
    expect(largest).toBeLessThan(1_000_000);
  });
});

function sizeOf(dir: string): number {
  return readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}
