import { describe, expect, it } from "vitest";
import { Ledger } from "../../src/ledger.js";

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
