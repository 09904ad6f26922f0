import { ThreadlineError } from "../errors.js";
import { MessageQueue } from "../queue.js";
import type { Segment } from "./segment.js";
import { Spool, type SpooledRecord, type SpoolHooks } from "./spool.js";

export interface SpoolSettings {
  dir: string;
  maxBytes: number;
}

export interface SpooledQueueHooks extends SpoolHooks {
  /** The spool reached `maxBytes`: its oldest queued message was dropped. */
  spoolFull(seq: number, messageId: string): void;
  /** Spooled messages could not be read back: they count as failed here (and stay on disk). */
  unreadable(firstSeq: number, count: number, error: ThreadlineError): void;
}

/** Messages accepted while memory was full, in order: on disk, or in memory while the disk refuses writes. */
type Chunk = { segment: Segment; from: number; to: number } | { records: SpooledRecord[]; head: number };

/**
 * The batcher's queue when a spool is configured: the same interface as
 * MessageQueue, but every message is also in the spool, and once memory holds
 * `maxQueueSize` (queued and in flight) further messages stay on disk only (the
 * backlog) and are read back, in order, as batches leave. Sequence numbers run
 * contiguously through memory and then the backlog; messages adopted from a gone
 * process come first.
 */
export class SpooledQueue {
  private readonly memory = new MessageQueue();
  private readonly spool: Spool | undefined;
  private readonly backlog: Chunk[] = [];
  private backlogCount = 0;
  /** Sequence numbers abandoned with the backlog, to skip once memory is empty. */
  private skipped = 0;

  constructor(
    private readonly settings: SpoolSettings,
    private readonly maxQueueSize: number,
    private readonly inFlight: () => number,
    private readonly hooks: SpooledQueueHooks,
  ) {
    this.spool = Spool.open(settings.dir, hooks);
    if (this.spool === undefined) return;
    for (const segment of this.spool.takeAdopted()) this.backlog.push({ segment, from: 0, to: segment.count });
    this.backlogCount = this.spool.nextSeq - 1;
    this.refill(this.maxQueueSize);
  }

  get length(): number {
    return this.memory.length + this.backlogCount;
  }

  get bytes(): number {
    return this.memory.bytes;
  }

  get firstSeq(): number {
    return this.memory.firstSeq;
  }

  get nextSeq(): number {
    return this.memory.nextSeq + this.backlogCount + this.skipped;
  }

  /** Whether memory is over `maxQueueSize` with nowhere else to go (the spool is off), so the oldest must be dropped. */
  get overMemory(): boolean {
    if (this.spool?.usable === true) return false;
    let inMemoryBacklog = 0;
    for (const chunk of this.backlog) if ("records" in chunk) inMemoryBacklog += chunk.records.length - chunk.head;
    return this.memory.length + inMemoryBacklog + this.inFlight() > this.maxQueueSize;
  }

  push(json: string, messageId: string, bytes: number): number {
    this.applySkip();
    const seq = this.nextSeq;
    const spool = this.spool;
    if (spool !== undefined && spool.usable) spool.append(messageId, json, bytes);
    const spooling = spool !== undefined && spool.usable;
    if (this.backlogCount === 0 && (!spooling || this.memory.length + this.inFlight() < this.maxQueueSize)) {
      this.memory.push(json, messageId, bytes);
    } else {
      // Memory is full (or older messages wait on disk, and order is kept): this one waits there too.
      this.toBacklog(spooling ? spool.locate(seq) : undefined, { id: messageId, json, bytes });
    }
    if (spooling && spool.liveBytes > this.settings.maxBytes) this.dropForSpace(spool);
    return seq;
  }

  dropOldest(): string {
    if (this.memory.length === 0) this.refill(1);
    const seq = this.memory.firstSeq;
    const id = this.memory.dropOldest();
    this.spool?.settle(seq, 1);
    return id;
  }

  /**
   * Whether a batch can start: something is in memory, or there is room to read some
   * of the backlog in (memory holds `maxQueueSize` at most, in flight included).
   */
  get canTake(): boolean {
    return this.memory.length > 0 || (this.backlogCount > 0 && this.room() > 0);
  }

  take(maxCount: number, maxBytes: number): { json: string[]; ids: string[]; firstSeq: number } {
    if (this.memory.length < maxCount && this.backlogCount > 0) {
      const room = this.room();
      if (room > 0) this.refill(room);
    }
    return this.memory.take(maxCount, maxBytes);
  }

  private room(): number {
    return this.maxQueueSize - this.inFlight() - this.memory.length;
  }

  /** Settled messages (delivered or definitively failed) leave the spool. */
  settle(firstSeq: number, count: number): void {
    this.spool?.settle(firstSeq, count);
  }

  /**
   * For a shutdown deadline: forgets the backlog without reading it (its messages
   * stay on disk for the next process) and returns its run of sequence numbers.
   */
  abandonBacklog(): { firstSeq: number; count: number } {
    const run = { firstSeq: this.memory.nextSeq, count: this.backlogCount };
    this.backlog.length = 0;
    this.backlogCount = 0;
    this.skipped += run.count;
    return run;
  }

  /** Hands what is written to the kernel and lets go of the files; unsettled records stay for the next process. */
  close(): void {
    this.spool?.close();
  }

  private toBacklog(onDisk: { segment: Segment; index: number } | undefined, record: SpooledRecord): void {
    this.backlogCount++;
    const last = this.backlog[this.backlog.length - 1];
    if (onDisk !== undefined) {
      if (last !== undefined && "segment" in last && last.segment === onDisk.segment && last.to === onDisk.index)
        last.to++;
      else this.backlog.push({ segment: onDisk.segment, from: onDisk.index, to: onDisk.index + 1 });
    } else if (last !== undefined && "records" in last) last.records.push(record);
    else this.backlog.push({ records: [record], head: 0 });
  }

  /** Moves up to `count` messages from the backlog into memory, oldest first. */
  private applySkip(): void {
    if (this.skipped > 0 && this.memory.length === 0) {
      this.memory.skip(this.skipped);
      this.skipped = 0;
    }
  }

  private refill(count: number): void {
    this.applySkip();
    while (count > 0 && this.backlog.length > 0) {
      const chunk = this.backlog[0];
      let records: SpooledRecord[];
      if ("records" in chunk) {
        records = chunk.records.slice(chunk.head, chunk.head + count);
        chunk.head += records.length;
        if (chunk.head === chunk.records.length) this.backlog.shift();
      } else {
        try {
          records = this.spool!.read(chunk.segment, chunk.from, Math.min(count, chunk.to - chunk.from));
        } catch (cause) {
          // Settled only once memory is empty, so sequence numbers stay contiguous; until
          // then the next refill tries again.
          if (this.memory.length > 0) return;
          this.loseChunk(chunk, cause);
          continue;
        }
        chunk.from += records.length;
        if (chunk.from === chunk.to) this.backlog.shift();
      }
      for (const record of records) this.memory.push(record.json, record.id, record.bytes);
      this.backlogCount -= records.length;
      count -= records.length;
    }
  }

  /** A disk chunk that cannot be read (EIO, a file changed under us): its messages fail here and stay on disk. */
  private loseChunk(chunk: { segment: Segment; from: number; to: number }, cause: unknown): void {
    const count = chunk.to - chunk.from;
    const firstSeq = this.memory.nextSeq;
    this.backlog.shift();
    this.backlogCount -= count;
    this.memory.skip(count);
    const code = (cause as NodeJS.ErrnoException)?.code;
    const error = new ThreadlineError(
      "spool_corrupt",
      `Could not read ${count} spooled message${count === 1 ? "" : "s"} back from ${this.settings.dir}${code ? ` (${code})` : ""}; they stay on disk for the next process`,
      { cause },
    );
    this.hooks.unreadable(firstSeq, count, error);
  }

  /** Past `maxBytes`: drops the oldest messages not in flight until the spool fits again. */
  private dropForSpace(spool: Spool): void {
    while (spool.liveBytes > this.settings.maxBytes && this.length > 0) {
      if (this.memory.length === 0) this.refill(1);
      const seq = this.memory.firstSeq;
      this.hooks.spoolFull(seq, this.dropOldest());
    }
  }
}
