import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { collector, get, post } from "./helpers.js";

// A full collection before each reading, so the heap figures are what is retained.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;
const retainedHeap = (): number => {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
};

const MESSAGES = 120_000;
const PER_BATCH = 400;
const MIB = 1024 * 1024;

describe("a flood of rejected messages", () => {
  it("regression: 120,000 refused messages keep the newest 1000 and a count, and the heap stays flat (165k once took +149 MiB)", async () => {
    const { url } = await collector();
    // Each ~1 KB and distinct, so keeping them all would retain well over 100 MiB.
    const batchOf = (start: number): string =>
      JSON.stringify({
        batch: Array.from({ length: PER_BATCH }, (_, i) => ({
          type: "track",
          userId: "u",
          messageId: `flood-${start + i}`,
          properties: { pad: `${start + i}:${"x".repeat(1000)}` },
        })),
      });
    // Warm up (first requests allocate parsers, buffers, JIT code), then measure.
    await post(`${url}/v1/batch`, batchOf(-PER_BATCH));
    const before = retainedHeap();
    for (let start = 0; start < MESSAGES; start += PER_BATCH) {
      const answer = await post(`${url}/v1/batch`, batchOf(start));
      expect(answer.body.rejected).toBe(PER_BATCH);
    }
    const growth = retainedHeap() - before;

    const answer = await get(`${url}/dev/rejected`);
    expect(answer.status).toBe(200);
    expect(answer.body.rejected).toHaveLength(1000);
    expect(answer.body.omitted).toBe(MESSAGES + PER_BATCH - 1000);
    expect(answer.body.rejected.at(-1).message.messageId).toBe(`flood-${MESSAGES - 1}`);
    expect(answer.body.rejected[0].message.messageId).toBe(`flood-${MESSAGES - 1000}`);
    // The ring holds ~1000 × 1 KB; the rest is noise. Unbounded, this would be > 100 MiB.
    expect(growth / MIB).toBeLessThan(16);
  });
});
