import { readdirSync } from "node:fs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";
import { Child, removeDir, requireDist, tempDir } from "./helpers.js";

// Several processes on one spool directory, told apart on the wire by their write keys.

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

/** Which write keys delivered each messageId (2xx answers only). */
function sendersById(requests: TestCollector["requests"], ok: (index: number) => boolean): Map<string, Set<string>> {
  const senders = new Map<string, Set<string>>();
  requests.forEach((request, index) => {
    if (!ok(index)) return;
    const key = Buffer.from(String(request.headers.authorization).slice(6), "base64").toString().replace(/:$/, "");
    for (const message of request.body.batch) {
      const id = String(message.messageId);
      const set = senders.get(id) ?? new Set<string>();
      set.add(key);
      senders.set(id, set);
    }
  });
  return senders;
}

function start(env: Record<string, string>): Child {
  const child = new Child({ DIR: dir!, HOST: collector!.url, ...env });
  children.push(child);
  return child;
}

describe("several processes on one dir", () => {
  it("two live processes never send each other's messages; a third, started after one is killed, adopts the dead one's file only", async () => {
    let down = true;
    const answered: boolean[] = [];
    collector = await startTestCollector((_request, index) => {
      answered[index] = !down;
      return down ? { status: 503 } : { status: 200 };
    });
    dir = tempDir("live");
    const a = start({ KEY: "A", TAG: "a", COUNT: "300", THEN: "hold" });
    await a.waitForLine((line) => line.tracked !== undefined, 20_000, "A tracked");
    const b = start({ KEY: "B", TAG: "b", COUNT: "300", THEN: "hold" });
    const bReady = await b.waitForLine((line) => line.ready !== undefined, 20_000, "B ready");
    expect(bReady.pending).toBe(0);
    await b.waitForLine((line) => line.tracked !== undefined, 20_000, "B tracked");
    await a.kill();
    const c = start({ KEY: "C", TAG: "c", COUNT: "0", THEN: "hold" });
    const cReady = await c.waitForLine((line) => line.ready !== undefined, 20_000, "C ready");
    // All of A's, none of B's (B is alive and holds its own 300).
    expect(cReady.pending).toBe(300);
    down = false;
    b.send("close");
    c.send("close");
    const [bClosed, cClosed] = await Promise.all([
      b.waitForLine((line) => line.closed !== undefined, 30_000, "B closed"),
      c.waitForLine((line) => line.closed !== undefined, 30_000, "C closed"),
    ]);
    expect(bClosed.closed!.delivered).toBe(300);
    expect(cClosed.closed!.delivered).toBe(300);
    const senders = sendersById(collector.requests, (index) => answered[index] === true);
    expect(senders.size).toBe(600);
    for (const [id, keys] of senders) {
      expect([id, [...keys]]).toEqual([id, [id.startsWith("a-") ? "C" : "B"]]);
    }
    expect(readdirSync(dir)).toEqual([]);
  });

  it("two processes starting at once on a dead process's files: each message is adopted by exactly one", async () => {
    let down = true;
    const answered: boolean[] = [];
    collector = await startTestCollector((_request, index) => {
      answered[index] = !down;
      return down ? { status: 503 } : { status: 200 };
    });
    dir = tempDir("race");
    // Several segments to share out: messages of ~300 bytes, a new segment past 1 MiB.
    const dead = start({ KEY: "D", TAG: "d", COUNT: "8000", PER_TURN: "500", THEN: "hold" });
    await dead.waitForLine((line) => line.tracked !== undefined, 30_000, "D tracked");
    await dead.kill();
    expect(readdirSync(dir).filter((file) => file.endsWith(".seg")).length).toBeGreaterThan(1);
    down = false;
    const x = start({ KEY: "X", TAG: "x", COUNT: "0", THEN: "close" });
    const y = start({ KEY: "Y", TAG: "y", COUNT: "0", THEN: "close" });
    const [xReady, yReady] = await Promise.all([
      x.waitForLine((line) => line.ready !== undefined, 20_000, "X ready"),
      y.waitForLine((line) => line.ready !== undefined, 20_000, "Y ready"),
    ]);
    expect(xReady.pending! + yReady.pending!).toBe(8000);
    await Promise.all([x.exited, y.exited]);
    const senders = sendersById(collector.requests, (index) => answered[index] === true);
    expect(new Set(senders.keys())).toEqual(new Set(dead.accepted));
    for (const keys of senders.values()) expect(keys.size).toBe(1);
  });
});
