import type { FlushResult } from "./types.js";

export type Outcome = keyof FlushResult;

/** Outcome counts for the sequence numbers up to `upTo` that no earlier flush counted. */
export interface Bucket extends FlushResult {
  upTo: number;
}

/**
 * Counts message outcomes so each `flush()` reports exactly the messages accepted
 * before it and not counted by an earlier flush, while using O(pending flushes)
 * memory: one open bucket when nobody waits, plus one per `flush()` in progress.
 */
export class Ledger {
  private buckets: Bucket[] = [openBucket()];

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

  /** Closes a bucket for everything accepted up to `target` and not yet claimed. */
  cut(target: number): Bucket {
    const open = this.buckets[this.buckets.length - 1];
    const previous = this.buckets.length > 1 ? this.buckets[this.buckets.length - 2].upTo : 0;
    if (target <= previous) {
      // Nothing new since the last flush began: this flush claims no messages.
      const empty: Bucket = { upTo: previous, delivered: 0, failed: 0, dropped: 0 };
      this.buckets.splice(this.buckets.length - 1, 0, empty);
      return empty;
    }
    open.upTo = target;
    this.buckets.push(openBucket());
    return open;
  }

  /** Forgets a bucket whose flush has resolved. */
  release(bucket: Bucket): void {
    const index = this.buckets.indexOf(bucket);
    if (index < 0) return;
    // Its counts belong to that flush alone; the next bucket inherits only the range.
    this.buckets.splice(index, 1);
  }
}

function openBucket(): Bucket {
  return { upTo: Number.POSITIVE_INFINITY, delivered: 0, failed: 0, dropped: 0 };
}
