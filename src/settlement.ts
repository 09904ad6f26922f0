import { ThreadlineError } from "./errors.js";
import { Ledger, type Bucket, type Outcome } from "./ledger.js";
import { invoke } from "./outcome.js";
import type { Callback, DropEvent, FlushResult } from "./types.js";

/** What settlement tells the client about drops (the batcher reports deliveries itself). */
export interface SettlementHooks {
  dropped(event: DropEvent, error: ThreadlineError): void;
}

interface FlushWaiter {
  target: number;
  bucket: Bucket;
  resolve(result: FlushResult): void;
}

/**
 * Outcomes of accepted messages: each is settled exactly once (delivered, failed or
 * dropped), which counts it in the ledger, fires its callback, and may let a waiting
 * `flush()` resolve. Messages are known by their sequence number (see queue.ts).
 */
export class Settlement {
  private readonly ledger = new Ledger();
  /** Only messages whose caller passed a callback have an entry. */
  private readonly callbacks = new Map<number, Callback>();
  private waiters: FlushWaiter[] = [];
  private pendingDrops: { ids: string[]; callbacks: Callback[] } | undefined;

  /**
   * @param lowestUnsettled the smallest sequence number not yet settled (the next one
   *   to be accepted when nothing is held): every flush waiting below it can resolve.
   */
  constructor(
    private readonly maxQueueSize: number,
    private readonly lowestUnsettled: () => number,
    private readonly hooks: SettlementHooks,
  ) {}

  /** Remembers the callback of an accepted message. */
  hold(seq: number, callback: Callback | undefined): void {
    if (callback !== undefined) this.callbacks.set(seq, callback);
  }

  /** Settles a run of sequence numbers with one outcome and fires their callbacks. */
  settle(firstSeq: number, count: number, outcome: Outcome, error: ThreadlineError | undefined): void {
    this.ledger.record(firstSeq, count, outcome);
    if (this.callbacks.size === 0) return;
    for (let seq = firstSeq; seq < firstSeq + count; seq++) {
      const callback = this.callbacks.get(seq);
      if (callback === undefined) continue;
      this.callbacks.delete(seq);
      invoke(callback, error);
    }
  }

  /** Settles one message dropped from the queue; the drops of a synchronous burst are reported together. */
  drop(seq: number, messageId: string): void {
    this.ledger.record(seq, 1, "dropped");
    if (this.pendingDrops === undefined) {
      this.pendingDrops = { ids: [], callbacks: [] };
      queueMicrotask(this.reportDrops);
    }
    this.pendingDrops.ids.push(messageId);
    const callback = this.callbacks.get(seq);
    if (callback !== undefined) {
      this.callbacks.delete(seq);
      this.pendingDrops.callbacks.push(callback);
    }
  }

  /** A promise for the outcomes of everything accepted up to `target` that no earlier flush counted. */
  wait(target: number): Promise<FlushResult> {
    const bucket = this.ledger.cut(target);
    return new Promise<FlushResult>((resolve) => this.waiters.push({ target, bucket, resolve }));
  }

  /** Resolves every flush whose messages have all settled. */
  release(): void {
    if (this.waiters.length === 0) return;
    const lowest = this.lowestUnsettled();
    while (this.waiters.length > 0 && this.waiters[0].target < lowest) {
      const waiter = this.waiters.shift()!;
      this.ledger.release(waiter.bucket);
      const { delivered, failed, dropped } = waiter.bucket;
      waiter.resolve({ delivered, failed, dropped });
    }
  }

  private readonly reportDrops = (): void => {
    const drops = this.pendingDrops;
    this.pendingDrops = undefined;
    if (drops === undefined) return;
    const count = drops.ids.length;
    const error = new ThreadlineError(
      "queue_overflow",
      `Dropped ${count} oldest message${count === 1 ? "" : "s"}: more than maxQueueSize (${this.maxQueueSize}) were held ` +
        "(a synchronous burst larger than the queue, or a slow or unreachable collector). For backfills, `await flush()` every few thousand calls",
      { messageIds: drops.ids },
    );
    for (const callback of drops.callbacks) invoke(callback, error);
    this.hooks.dropped({ count, messageIds: drops.ids, reason: "queue_overflow" }, error);
    this.release();
  };
}
