import { describe, expect, it } from "vitest";
import { ERROR_CODES, ThreadlineError, isThreadlineError, newAnonymousId, VERSION } from "../../src/index.js";
import { Ledger } from "../../src/ledger.js";
import { MessageQueue } from "../../src/queue.js";
import { backoffDelay, isRetryableStatus, MAX_RETRY_AFTER_MS, parseRetryAfter } from "../../src/retry.js";
import packageJson from "../../package.json" with { type: "json" };

describe("retry policy", () => {
  it.each([
    [408, true],
    [429, true],
    [500, true],
    [502, true],
    [503, true],
    [504, true],
    [501, false],
    [505, false],
    [400, false],
    [401, false],
    [403, false],
    [404, false],
    [413, false],
    [200, false],
  ])("status %i retryable: %s", (status, expected) => {
    expect(isRetryableStatus(status)).toBe(expected);
  });

  it("parses Retry-After seconds and HTTP dates, caps it, ignores garbage", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("1", now)).toBe(1000);
    expect(parseRetryAfter(" 2.5 ", now)).toBe(2500);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT", now)).toBe(3000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("86400", now)).toBe(MAX_RETRY_AFTER_MS);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-1", now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it("backs off exponentially with up to half a step of jitter, never below minDelay, capped at maxDelay", () => {
    expect(backoffDelay(1, 100, 10_000, () => 0)).toBe(100);
    expect(backoffDelay(1, 100, 10_000, () => 1)).toBe(150);
    expect(backoffDelay(4, 100, 10_000, () => 0)).toBe(800);
    expect(backoffDelay(4, 100, 10_000, () => 1)).toBe(1200);
    expect(backoffDelay(30, 100, 10_000, () => 1)).toBe(10_000);
    expect(backoffDelay(30, 100, 10_000, () => 0)).toBe(10_000);
  });
});

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

describe("Ledger", () => {
  it("splits outcomes at each pending flush's boundary", () => {
    const ledger = new Ledger();
    ledger.record(1, 3, "delivered");
    const first = ledger.cut(5);
    const second = ledger.cut(9);
    const third = ledger.cut(9);
    ledger.record(4, 4, "failed"); // 4..7 straddles the first boundary
    ledger.record(8, 3, "dropped"); // 8..10: 10 belongs to no flush yet
    expect(first).toMatchObject({ delivered: 3, failed: 2, dropped: 0 });
    expect(second).toMatchObject({ delivered: 0, failed: 2, dropped: 2 });
    expect(third).toMatchObject({ delivered: 0, failed: 0, dropped: 0 });
    ledger.release(first);
    ledger.release(second);
    ledger.release(third);
    expect(ledger.cut(10)).toMatchObject({ delivered: 0, failed: 0, dropped: 1 });
  });

  it("hands what a timed-out flush left pending to the next flush, so every outcome is counted once", () => {
    const ledger = new Ledger();
    const timedOut = ledger.cut(10);
    ledger.record(1, 4, "delivered");
    expect(ledger.release(timedOut)).toEqual({ delivered: 4, failed: 0, dropped: 0, pending: 6 });
    // Nothing new accepted: the next flush answers for the six left over, no more.
    const next = ledger.cut(10);
    ledger.record(5, 5, "delivered");
    ledger.record(10, 1, "failed");
    expect(ledger.release(next)).toEqual({ delivered: 5, failed: 1, dropped: 0, pending: 0 });
    // And with new messages too: leftovers plus the new range.
    const third = ledger.cut(12);
    expect(third.covered).toBe(2);
  });

  it("passes leftovers to a flush already waiting behind the timed-out one", () => {
    const ledger = new Ledger();
    const first = ledger.cut(5);
    const second = ledger.cut(8);
    ledger.record(1, 2, "delivered");
    expect(ledger.release(first)).toMatchObject({ delivered: 2, pending: 3 });
    ledger.record(3, 6, "delivered");
    expect(ledger.release(second)).toEqual({ delivered: 6, failed: 0, dropped: 0, pending: 0 });
  });
});

describe("errors and ids", () => {
  it("ThreadlineError carries code, cause, status and messageIds", () => {
    const cause = new Error("socket hang up");
    const error = new ThreadlineError("delivery_failed", "failed", { cause, status: 503, messageIds: ["a"] });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ name: "ThreadlineError", code: "delivery_failed", status: 503, messageIds: ["a"], cause });
    expect(isThreadlineError(error)).toBe(true);
    expect(isThreadlineError(new Error("x"))).toBe(false);
    expect(ERROR_CODES).toEqual([
      "invalid_message",
      "message_too_large",
      "queue_overflow",
      "delivery_failed",
      "delivery_retry",
      "closed",
      "config",
      "before_send",
      "spool_unavailable",
      "spool_corrupt",
      "export_bad_url",
      "export_unreachable",
      "export_bad_line",
      "export_failed",
    ]);
  });

  it("newAnonymousId() returns distinct UUID v4s", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newAnonymousId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("VERSION matches package.json", () => {
    expect(VERSION).toBe(packageJson.version);
  });
});
