import type { FlushResult } from "./types.js";

export type Outcome = "delivered" | "failed" | "dropped";

/** Outcome counts of one `flush()`: the messages up to `upTo` that no earlier flush counted. */
export interface Bucket {
  upTo: number;
  /** How many messages this bucket answers for; what has no outcome yet is pending. */
  covered: number;
  delivered: number;
  failed: number;
  dropped: number;
}

/**
 * Counts message outcomes so each `flush()` reports exactly the messages accepted
 * before it and not counted by an earlier flush, while using O(pending flushes)
 * memory: one open bucket when nobody waits, plus one per `flush()` in progress.
 * Buckets are ordered by `upTo`; an outcome lands in the first bucket that reaches it.
 */
export class Ledger {
  private buckets: Bucket[] = [openBucket()];
  /** The highest sequence number any flush has claimed. */
  private claimedUpTo = 0;

  /** Records `count` messages with consecutive sequence numbers from `firstSeq`. */
  record(firstSeq: number, count: number, outcome: Outcome): void {
    let seq = firstSeq;
    let remaining = count;
    for (const bucket of this.buckets) {
      if (seq > bucket.upTo) continue;
      const here = Math.min(remaining, bucket.upTo - seq + 1);
      bucket[outcome] += here;
      seq += here;
      remaining -= here;
      if (remaining === 0) return;
    }
  }

  /** Closes the open bucket at `target` (everything accepted so far) for one flush. */
  cut(target: number): Bucket {
    const open = this.buckets[this.buckets.length - 1];
    open.upTo = target;
    // Nothing new since the last flush began: this one answers only for what an
    // earlier, timed-out flush left pending (carried into the open bucket).
    if (target > this.claimedUpTo) {
      open.covered += target - this.claimedUpTo;
      this.claimedUpTo = target;
    }
    this.buckets.push(openBucket());
    return open;
  }

  /**
   * Forgets a bucket whose flush has resolved. Its counts belong to that flush alone;
   * what it left pending (a flush that hit its deadline) passes, with its range, to the
   * next bucket, so a later flush counts those messages' outcomes.
   */
  release(bucket: Bucket): FlushResult {
    const { delivered, failed, dropped } = bucket;
    const pending = Math.max(0, bucket.covered - delivered - failed - dropped);
    const index = this.buckets.indexOf(bucket);
    if (index >= 0) {
      this.buckets.splice(index, 1);
      if (pending > 0) this.buckets[index].covered += pending;
    }
    return { delivered, failed, dropped, pending };
  }
}

function openBucket(): Bucket {
  return { upTo: Number.POSITIVE_INFINITY, covered: 0, delivered: 0, failed: 0, dropped: 0 };
}
