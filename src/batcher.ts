import { deliverBatch, type DeliveryResult } from "./delivery.js";
import { ThreadlineError } from "./errors.js";
import { invoke, withIds } from "./outcome.js";
import { unwatchForExit, watchForExit } from "./exit.js";
import { Ledger, type Bucket } from "./ledger.js";
import type { ResolvedOptions } from "./options.js";
import { MessageQueue } from "./queue.js";
import { Transport } from "./transport.js";
import type { Callback, DeliveredEvent, DropEvent, FlushResult, RetryEvent } from "./types.js";

/** What the batcher tells the client, which turns it into events and stderr lines. */
export interface BatcherHooks {
  delivered(event: DeliveredEvent): void;
  retry(event: RetryEvent): void;
  dropped(event: DropEvent, error: ThreadlineError): void;
  failed(error: ThreadlineError): void;
}

interface Batch {
  firstSeq: number;
  count: number;
  ids: string[];
  /** Set when close() gave up on it: its outcome was already counted as failed. */
  abandoned: boolean;
}

interface FlushWaiter {
  target: number;
  bucket: Bucket;
  resolve(result: FlushResult): void;
}

// `{"batch":[` + `],"sentAt":"<24-char ISO>"}` plus slack; each message adds one comma.
const BODY_OVERHEAD_BYTES = 64;

/**
 * Owns the queue and everything in flight: decides when a batch leaves (flushAt, a
 * flush, the interval), keeps at most `concurrency` requests open, bounds what is held
 * to `maxQueueSize`, and settles each message exactly once.
 */
export class Batcher {
  private readonly queue = new MessageQueue();
  private readonly ledger = new Ledger();
  private readonly transport: Transport;
  private readonly inFlight = new Set<Batch>();
  private inFlightMessages = 0;
  /** Only messages whose caller passed a callback have an entry. */
  private readonly callbacks = new Map<number, Callback>();
  private waiters: FlushWaiter[] = [];
  /** Queued messages with a sequence number up to this leave even as a partial batch. */
  private sendUpTo = 0;
  private pumpScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private abandonController = new AbortController();
  private pendingDrops: { ids: string[]; callbacks: Callback[] } | undefined;
  private exitDrain: Promise<unknown> | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly hooks: BatcherHooks,
  ) {
    this.transport = new Transport(options);
  }

  /** Messages held: queued plus in flight. */
  get held(): number {
    return this.queue.length + this.inFlightMessages;
  }

  enqueue(json: string, messageId: string, bytes: number, callback: Callback | undefined): void {
    const seq = this.queue.push(json, messageId, bytes);
    if (callback !== undefined) this.callbacks.set(seq, callback);
    if (this.queue.length + this.inFlightMessages > this.options.maxQueueSize) this.dropOldest();
    if (this.queue.length >= this.options.flushAt) this.schedulePump();
    else if (this.timer === undefined) this.startTimer();
    if (this.held === 1) watchForExit(this);
  }

  /** Resolves once everything accepted so far has settled; counts what no earlier flush counted. */
  flush(): Promise<FlushResult> {
    const target = this.queue.nextSeq - 1;
    const bucket = this.ledger.cut(target);
    if (target > this.sendUpTo) this.sendUpTo = target;
    const done = new Promise<FlushResult>((resolve) => this.waiters.push({ target, bucket, resolve }));
    this.settleWaiters();
    this.pump();
    return done;
  }

  /**
   * Gives up on everything not yet confirmed: queued and in-flight messages count as
   * failed now and their requests and retry waits are aborted.
   */
  abandon(reason: string): void {
    this.clearTimer();
    const error = new ThreadlineError("delivery_failed", reason);
    const abandonedIds: string[] = [];
    while (this.queue.length > 0) {
      const firstSeq = this.queue.firstSeq;
      const taken = this.queue.take(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      this.finish(firstSeq, taken.ids.length, "failed", withIds(error, taken.ids));
      abandonedIds.push(...taken.ids);
    }
    for (const batch of this.inFlight) {
      batch.abandoned = true;
      this.inFlight.delete(batch);
      this.inFlightMessages -= batch.count;
      this.finish(batch.firstSeq, batch.count, "failed", withIds(error, batch.ids));
      for (const id of batch.ids) abandonedIds.push(id);
    }
    this.abandonController.abort();
    this.abandonController = new AbortController();
    unwatchForExit(this);
    this.settleWaiters();
    if (abandonedIds.length > 0) this.hooks.failed(withIds(error, abandonedIds));
  }

  /** Called on `beforeExit`: send what is left, holding the process open at most `deadlineMs`. */
  drainBeforeExit(deadlineMs: number): void {
    if (this.exitDrain !== undefined || this.held === 0) return;
    // A referenced timer keeps the loop alive through unref'd retry waits, up to the deadline.
    const deadline = setTimeout(() => this.abandon(`Process exiting: gave up after ${deadlineMs} ms`), deadlineMs);
    this.exitDrain = this.flush().finally(() => {
      clearTimeout(deadline);
      this.exitDrain = undefined;
    });
  }

  stopTimers(): void {
    this.clearTimer();
  }

  destroy(): void {
    this.clearTimer();
    this.transport.destroy();
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // The next turn, not now: a synchronous burst then leaves as full batches.
    setImmediate(this.runScheduledPump);
  }

  private readonly runScheduledPump = (): void => {
    this.pumpScheduled = false;
    this.pump();
  };

  private pump(): void {
    const queue = this.queue;
    const { concurrency, flushAt } = this.options;
    // Reaching flushAt sends everything queued at that moment, in as many batches as it
    // takes: flushAt above maxBatchSize must not strand the remainder until the interval.
    if (queue.length >= flushAt && queue.nextSeq - 1 > this.sendUpTo) this.sendUpTo = queue.nextSeq - 1;
    while (queue.length > 0 && this.inFlight.size < concurrency && queue.firstSeq <= this.sendUpTo) {
      this.startBatch();
    }
    if (queue.length === 0) this.clearTimer();
    else if (this.timer === undefined) this.startTimer();
  }

  private startBatch(): void {
    const { maxBatchSize, maxBatchBytes } = this.options;
    const taken = this.queue.take(maxBatchSize, maxBatchBytes - BODY_OVERHEAD_BYTES);
    const batch: Batch = { firstSeq: taken.firstSeq, count: taken.ids.length, ids: taken.ids, abandoned: false };
    this.inFlight.add(batch);
    this.inFlightMessages += batch.count;
    void deliverBatch(this.transport, taken.json.join(","), batch.count, batch.ids, this.options, this.abandonController.signal, {
      onRetry: (event) => this.hooks.retry(event),
    }).then((result) => this.settleBatch(batch, result));
  }

  private settleBatch(batch: Batch, result: DeliveryResult): void {
    if (batch.abandoned) return;
    this.inFlight.delete(batch);
    this.inFlightMessages -= batch.count;
    if (result.ok) {
      this.finish(batch.firstSeq, batch.count, "delivered", undefined);
      this.hooks.delivered({ count: batch.count, messageIds: batch.ids, status: result.status, attempts: result.attempts });
    } else {
      const error = result.error ?? new ThreadlineError("delivery_failed", "Delivery failed", { messageIds: batch.ids });
      this.finish(batch.firstSeq, batch.count, "failed", error);
      this.hooks.failed(error);
    }
    this.settleWaiters();
    this.pump();
    if (this.held === 0) unwatchForExit(this);
  }

  /** Counts an outcome for a run of sequence numbers and fires their callbacks. */
  private finish(firstSeq: number, count: number, outcome: keyof FlushResult, error: ThreadlineError | undefined): void {
    this.ledger.record(firstSeq, count, outcome);
    if (this.callbacks.size === 0) return;
    for (let seq = firstSeq; seq < firstSeq + count; seq++) {
      const callback = this.callbacks.get(seq);
      if (callback === undefined) continue;
      this.callbacks.delete(seq);
      invoke(callback, error);
    }
  }

  private dropOldest(): void {
    const seq = this.queue.firstSeq;
    const id = this.queue.dropOldest();
    this.ledger.record(seq, 1, "dropped");
    // Drops of one synchronous burst are reported together, once it has ended.
    if (this.pendingDrops === undefined) {
      this.pendingDrops = { ids: [], callbacks: [] };
      queueMicrotask(this.reportDrops);
    }
    this.pendingDrops.ids.push(id);
    const callback = this.callbacks.get(seq);
    if (callback !== undefined) {
      this.callbacks.delete(seq);
      this.pendingDrops.callbacks.push(callback);
    }
  }

  private readonly reportDrops = (): void => {
    const drops = this.pendingDrops;
    this.pendingDrops = undefined;
    if (drops === undefined) return;
    const { maxQueueSize } = this.options;
    const error = new ThreadlineError(
      "queue_overflow",
      `Dropped ${drops.ids.length} oldest message${drops.ids.length === 1 ? "" : "s"}: more than maxQueueSize (${maxQueueSize}) were held ` +
        "(a synchronous burst larger than the queue, or a slow or unreachable collector). For backfills, `await flush()` every few thousand calls",
      { messageIds: drops.ids },
    );
    for (const callback of drops.callbacks) invoke(callback, error);
    this.hooks.dropped({ count: drops.ids.length, messageIds: drops.ids, reason: "queue_overflow" }, error);
    this.settleWaiters();
  };

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    let lowest = this.queue.length > 0 ? this.queue.firstSeq : this.queue.nextSeq;
    for (const batch of this.inFlight) if (batch.firstSeq < lowest) lowest = batch.firstSeq;
    while (this.waiters.length > 0 && this.waiters[0].target < lowest) {
      const waiter = this.waiters.shift()!;
      this.ledger.release(waiter.bucket);
      const { delivered, failed, dropped } = waiter.bucket;
      waiter.resolve({ delivered, failed, dropped });
    }
  }

  private startTimer(): void {
    this.timer = setTimeout(this.onInterval, this.options.flushInterval);
    // Never the reason a process stays up; beforeExit sends what is left.
    this.timer.unref();
  }

  private readonly onInterval = (): void => {
    this.timer = undefined;
    const last = this.queue.nextSeq - 1;
    if (last > this.sendUpTo) this.sendUpTo = last;
    this.pump();
  };

  private clearTimer(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }
}
