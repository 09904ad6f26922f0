/**
 * FIFO of serialized messages. Each accepted message gets a sequence number; the
 * queue always holds a contiguous run of them, which is what lets `flush()` know
 * when everything accepted before it has settled.
 *
 * Parallel arrays with a moving head instead of an array of objects and `shift()`:
 * no per-message allocation and O(1) take from the front.
 */
export class MessageQueue {
  private json: string[] = [];
  private ids: string[] = [];
  private sizes: number[] = [];
  private head = 0;
  /** Sequence number of the message at the head. */
  private headSeq = 1;
  private queuedBytes = 0;

  get length(): number {
    return this.json.length - this.head;
  }

  get bytes(): number {
    return this.queuedBytes;
  }

  /** Sequence number of the oldest queued message (meaningless when empty). */
  get firstSeq(): number {
    return this.headSeq;
  }

  /** Sequence number the next pushed message receives. */
  get nextSeq(): number {
    return this.headSeq + this.length;
  }

  push(json: string, messageId: string, bytes: number): number {
    const seq = this.nextSeq;
    this.json.push(json);
    this.ids.push(messageId);
    this.sizes.push(bytes);
    this.queuedBytes += bytes;
    return seq;
  }

  /** Moves the sequence numbers past `count` messages that were never held here (only when empty). */
  skip(count: number): void {
    if (this.length === 0) this.headSeq += count;
  }

  /** Removes the oldest message; returns its id. */
  dropOldest(): string {
    const id = this.ids[this.head];
    this.queuedBytes -= this.sizes[this.head];
    this.advance(1);
    return id;
  }

  /**
   * Takes from the front as many messages as fit in `maxCount` and `maxBytes` (each
   * costing its size plus one separator byte); always at least one.
   */
  take(maxCount: number, maxBytes: number): { json: string[]; ids: string[]; firstSeq: number } {
    const start = this.head;
    const end = Math.min(this.json.length, start + maxCount);
    let used = 0;
    let stop = start;
    while (stop < end) {
      const cost = this.sizes[stop] + 1;
      if (stop > start && used + cost > maxBytes) break;
      used += cost;
      stop++;
    }
    const firstSeq = this.headSeq;
    const json = this.json.slice(start, stop);
    const ids = this.ids.slice(start, stop);
    // `used` counted one separator byte per message on top of its size.
    this.queuedBytes -= used - (stop - start);
    this.advance(stop - start);
    return { json, ids, firstSeq };
  }

  private advance(count: number): void {
    // Release references so dropped/sent strings can be collected.
    for (let i = this.head; i < this.head + count; i++) this.json[i] = "";
    this.head += count;
    this.headSeq += count;
    if (this.head === this.json.length) {
      this.json.length = this.ids.length = this.sizes.length = 0;
      this.head = 0;
    } else if (this.head > 4096 && this.head * 2 > this.json.length) {
      // Compact occasionally: amortized O(1) per message.
      this.json.splice(0, this.head);
      this.ids.splice(0, this.head);
      this.sizes.splice(0, this.head);
      this.head = 0;
    }
  }
}
