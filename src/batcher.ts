import { deliverBatch, type DeliveryResult } from "./delivery.js";
import { ThreadlineError } from "./errors.js";
import { withIds } from "./outcome.js";
import { unwatchForExit, watchForExit } from "./exit.js";
import type { ResolvedOptions } from "./options.js";
import { MessageQueue } from "./queue.js";
import { Settlement } from "./settlement.js";
import { SpooledQueue } from "./spool/spooled-queue.js";
import type { Transport } from "./transport.js";
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
  /** Set when the shutdown deadline gave up on it: its outcome was already counted as failed. */
  abandoned: boolean;
}

// `{"batch":[` + `],"sentAt":"<24-char ISO>"}` plus slack; each message adds one comma.
const BODY_OVERHEAD_BYTES = 64;

/**
 * Decides when a batch leaves (flushAt, a flush, the interval, the byte limit) and
 * keeps at most `concurrency` requests open through the transport it is given. What
 * becomes of each message is settlement's business.
 */
export class Batcher {
  private readonly queue: MessageQueue | SpooledQueue;
  /** The queue, when it is spooled to disk. */
  private readonly spooled: SpooledQueue | undefined;
  private readonly settlement: Settlement;
  private readonly inFlight = new Set<Batch>();
  private inFlightMessages = 0;
  /** Queued messages with a sequence number up to this leave even as a partial batch. */
  private sendUpTo = 0;
  private pumpScheduled = false;
  private timer: NodeJS.Timeout | undefined;
  private abandonController = new AbortController();
  private draining: Promise<FlushResult> | undefined;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly transport: Transport,
    private readonly hooks: BatcherHooks,
  ) {
    this.settlement = new Settlement(options.maxQueueSize, () => this.lowestUnsettled(), hooks);
    if (options.spool === undefined) {
      this.queue = new MessageQueue();
      return;
    }
    // Spool reports wait a microtask, for the listeners attached right after construction.
    const report = (error: ThreadlineError) => queueMicrotask(() => hooks.failed(error));
    this.queue = this.spooled = new SpooledQueue(options.spool, options.maxQueueSize, () => this.inFlightMessages, {
      unavailable: report,
      corrupt: report,
      spoolFull: (seq, messageId) => this.settlement.drop(seq, messageId, "spool_full"),
      unreadable: (firstSeq, count, error) => {
        this.settlement.settle(firstSeq, count, "failed", error);
        this.settlement.release();
        report(error);
      },
    });
    // Messages adopted from a gone process count as accepted now, and leave without waiting for a call.
    if (this.queue.length > 0) {
      this.sendUpTo = this.queue.nextSeq - 1;
      this.schedulePump();
      watchForExit(this);
    }
  }

  /** Messages held: queued plus in flight. */
  get held(): number {
    return this.queue.length + this.inFlightMessages;
  }

  enqueue(json: string, messageId: string, bytes: number, callback: Callback | undefined): void {
    const seq = this.queue.push(json, messageId, bytes);
    this.settlement.hold(seq, callback);
    const overflow = this.spooled === undefined ? this.held > this.options.maxQueueSize : this.spooled.overMemory;
    if (overflow) this.dropOldest();
    if (this.queue.length >= this.options.flushAt) this.schedulePump();
    else if (this.timer === undefined) this.startTimer();
    if (this.held === 1) watchForExit(this);
  }

  /**
   * Resolves once everything accepted so far has settled, or at `timeoutMs` with the
   * rest counted as pending; counts what no earlier flush counted.
   */
  flush(timeoutMs?: number): Promise<FlushResult> {
    const target = this.queue.nextSeq - 1;
    if (target > this.sendUpTo) this.sendUpTo = target;
    const done = this.settlement.wait(target, timeoutMs);
    this.settlement.release();
    this.pump();
    return done;
  }

  /**
   * The one shutdown path, shared by `close()` and the exit drain: send everything,
   * and at `deadlineMs` give up on what is still unconfirmed (it counts as failed).
   * The deadline timer is referenced on purpose: it keeps the process alive through
   * unref'd retry waits until the deadline, and no longer.
   */
  drain(deadlineMs: number, why: string): Promise<FlushResult> {
    if (this.draining !== undefined) return this.draining;
    const deadline = setTimeout(() => this.abandon(`${why} gave up after ${deadlineMs} ms`), deadlineMs);
    const drained = this.flush().finally(() => {
      clearTimeout(deadline);
      if (this.draining === drained) this.draining = undefined;
    });
    return (this.draining = drained);
  }

  /** Called on `beforeExit`: what a script left queued is sent before the process ends. */
  drainBeforeExit(deadlineMs: number): void {
    if (this.held > 0) void this.drain(deadlineMs, "Process exiting:");
  }

  /** For close(): no more interval sends; what is queued leaves through drain(). */
  stopTimers(): void {
    this.clearTimer();
  }

  destroy(): void {
    this.clearTimer();
    this.transport.destroy();
    this.spooled?.close();
  }

  /**
   * Gives up on everything not yet confirmed: queued and in-flight messages count as
   * failed now and their requests and retry waits are aborted.
   */
  private abandon(reason: string): void {
    this.clearTimer();
    const error = new ThreadlineError("delivery_failed", reason);
    const abandonedIds: string[] = [];
    // What waits on disk is not read just to be given up on: it stays there for the next process.
    const spilled = this.spooled?.abandonBacklog();
    if (spilled !== undefined && spilled.count > 0)
      this.settlement.settle(spilled.firstSeq, spilled.count, "failed", error);
    while (this.queue.length > 0) {
      const firstSeq = this.queue.firstSeq;
      const taken = this.queue.take(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      this.settlement.settle(firstSeq, taken.ids.length, "failed", withIds(error, taken.ids));
      for (const id of taken.ids) abandonedIds.push(id);
    }
    for (const batch of this.inFlight) {
      batch.abandoned = true;
      this.inFlight.delete(batch);
      this.inFlightMessages -= batch.count;
      this.settlement.settle(batch.firstSeq, batch.count, "failed", withIds(error, batch.ids));
      for (const id of batch.ids) abandonedIds.push(id);
    }
    this.abandonController.abort();
    this.abandonController = new AbortController();
    unwatchForExit(this);
    this.settlement.release();
    if (abandonedIds.length > 0) this.hooks.failed(withIds(error, abandonedIds));
  }

  private lowestUnsettled(): number {
    let lowest = this.queue.length > 0 ? this.queue.firstSeq : this.queue.nextSeq;
    for (const batch of this.inFlight) if (batch.firstSeq < lowest) lowest = batch.firstSeq;
    return lowest;
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
    // A spooled queue starts no batch while memory is full of batches in flight: the backlog waits on disk.
    while (
      queue.length > 0 &&
      this.inFlight.size < concurrency &&
      queue.firstSeq <= this.sendUpTo &&
      this.spooled?.canTake !== false
    ) {
      if (!this.startBatch()) break;
    }
    if (queue.length === 0) this.clearTimer();
    else if (this.timer === undefined) this.startTimer();
  }

  private startBatch(): boolean {
    const { maxBatchSize, maxBatchBytes } = this.options;
    const taken = this.queue.take(maxBatchSize, maxBatchBytes - BODY_OVERHEAD_BYTES);
    // Empty only when a spooled backlog could not be read back (those messages failed).
    if (taken.ids.length === 0) return false;
    const batch: Batch = { firstSeq: taken.firstSeq, count: taken.ids.length, ids: taken.ids, abandoned: false };
    this.inFlight.add(batch);
    this.inFlightMessages += batch.count;
    void deliverBatch(
      this.transport,
      taken.json.join(","),
      batch.count,
      batch.ids,
      this.options,
      this.abandonController.signal,
      {
        onRetry: (event) => this.hooks.retry(event),
      },
    ).then((result) => this.settleBatch(batch, result));
    return true;
  }

  private settleBatch(batch: Batch, result: DeliveryResult): void {
    if (batch.abandoned) return;
    this.inFlight.delete(batch);
    this.inFlightMessages -= batch.count;
    this.spooled?.settle(batch.firstSeq, batch.count);
    if (result.ok) {
      this.settlement.settle(batch.firstSeq, batch.count, "delivered", undefined);
      this.hooks.delivered({
        count: batch.count,
        messageIds: batch.ids,
        status: result.status,
        attempts: result.attempts,
      });
    } else {
      const error =
        result.error ?? new ThreadlineError("delivery_failed", "Delivery failed", { messageIds: batch.ids });
      this.settlement.settle(batch.firstSeq, batch.count, "failed", error);
      this.hooks.failed(error);
    }
    this.settlement.release();
    this.pump();
    if (this.held === 0) unwatchForExit(this);
  }

  private dropOldest(): void {
    const seq = this.queue.firstSeq;
    this.settlement.drop(seq, this.queue.dropOldest());
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
