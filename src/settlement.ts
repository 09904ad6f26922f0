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
  deadline: NodeJS.Timeout | undefined;
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
  private pendingSpoolDrops: { ids: string[]; callbacks: Callback[] } | undefined;

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

  /**
   * Settles one message dropped from the queue (past `maxQueueSize`, or past the spool's
   * `maxBytes`: `spool_full`); the drops of a synchronous burst are reported together.
   */
  drop(seq: number, messageId: string, reason: "queue_overflow" | "spool_full" = "queue_overflow"): void {
    this.ledger.record(seq, 1, "dropped");
    let drops = reason === "spool_full" ? this.pendingSpoolDrops : this.pendingDrops;
    if (drops === undefined) {
      drops = { ids: [], callbacks: [] };
      if (reason === "spool_full") {
        this.pendingSpoolDrops = drops;
        queueMicrotask(this.reportSpoolDrops);
      } else {
        this.pendingDrops = drops;
        queueMicrotask(this.reportDrops);
      }
    }
    drops.ids.push(messageId);
    const callback = this.callbacks.get(seq);
    if (callback !== undefined) {
      this.callbacks.delete(seq);
      drops.callbacks.push(callback);
    }
  }

  /**
   * A promise for the outcomes of everything accepted up to `target` that no earlier
   * flush counted. With `timeoutMs` it resolves by then at the latest, counting what has
   * no outcome yet as `pending`: those messages stay queued or in flight, with their
   * retries, and the next flush counts them.
   */
  wait(target: number, timeoutMs?: number): Promise<FlushResult> {
    const bucket = this.ledger.cut(target);
    return new Promise<FlushResult>((resolve) => {
      const waiter: FlushWaiter = { target, bucket, resolve, deadline: undefined };
      this.waiters.push(waiter);
      // Referenced on purpose: the caller awaits this deadline, so the process must
      // live to see it even when only unref'd retry waits are left.
      if (timeoutMs !== undefined) waiter.deadline = setTimeout(() => this.resolveWaiter(waiter), timeoutMs);
    });
  }

  /** Resolves every flush whose messages have all settled. */
  release(): void {
    if (this.waiters.length === 0) return;
    const lowest = this.lowestUnsettled();
    while (this.waiters.length > 0 && this.waiters[0].target < lowest) this.resolveWaiter(this.waiters[0]);
  }

  private resolveWaiter(waiter: FlushWaiter): void {
    const index = this.waiters.indexOf(waiter);
    if (index < 0) return;
    this.waiters.splice(index, 1);
    if (waiter.deadline !== undefined) clearTimeout(waiter.deadline);
    waiter.resolve(this.ledger.release(waiter.bucket));
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

  private readonly reportSpoolDrops = (): void => {
    const drops = this.pendingSpoolDrops;
    this.pendingSpoolDrops = undefined;
    if (drops === undefined) return;
    const count = drops.ids.length;
    const error = new ThreadlineError(
      "queue_overflow",
      `Dropped ${count} oldest message${count === 1 ? "" : "s"}: the spool reached its maxBytes during a slow or unreachable collector`,
      { messageIds: drops.ids },
    );
    for (const callback of drops.callbacks) invoke(callback, error);
    this.hooks.dropped({ count, messageIds: drops.ids, reason: "spool_full" }, error);
    this.release();
  };
}
