import { describe, expect, it } from "vitest";
import { MessageQueue } from "../../src/queue.js";

describe("MessageQueue", () => {
  it("is FIFO with sequence numbers, byte accounting and byte-bounded takes", () => {
    const queue = new MessageQueue();
    for (let i = 0; i < 10; i++) queue.push(`{"i":${i}}`, `id${i}`, 7);
    expect(queue.length).toBe(10);
    expect(queue.bytes).toBe(70);
    expect(queue.firstSeq).toBe(1);
    expect(queue.dropOldest()).toBe("id0");
    const taken = queue.take(100, 8 * 3);
    expect(taken.ids).toEqual(["id1", "id2", "id3"]);
    expect(taken.firstSeq).toBe(2);
    expect(queue.firstSeq).toBe(5);
    expect(queue.bytes).toBe(42);
    // A message bigger than the byte budget still leaves alone rather than blocking the queue.
    expect(queue.take(100, 1).ids).toEqual(["id4"]);
    expect(queue.nextSeq).toBe(11);
  });

  it("stays correct across compaction of a long-running queue", () => {
    const queue = new MessageQueue();
    let expected = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) queue.push("x", `m${round * 300 + i}`, 1);
      const taken = queue.take(250, 10_000);
      for (const id of taken.ids) expect(id).toBe(`m${expected++}`);
    }
    expect(queue.length).toBe(50 * 50);
    expect(queue.firstSeq).toBe(expected + 1);
  });
});
