import fs from "node:fs";

/**
 * One spool file and what the client knows about its records: where each starts,
 * how big it is, whether it has settled. Record `i` carries sequence number
 * `firstSeq + i`. Records appended this turn wait in `pending*` until the turn's write.
 */
export class Segment {
  /** Reserved end of the file: what is on disk plus what waits to be written. */
  end = 0;
  /** Bytes on disk. */
  written = 0;
  readonly offsets: number[] = [];
  readonly sizes: number[] = [];
  readonly settled: boolean[] = [];
  live = 0;
  liveBytes = 0;
  /** Records from this index on are not written yet. */
  writtenCount = 0;
  pendingIds: string[] = [];
  pendingJson: string[] = [];
  pendingIdBytes: number[] = [];
  /** Flat (start, end) offsets of settled records, for the next acknowledgement record. */
  ackRanges: number[] = [];
  /** Records whose write failed, kept in memory (by index) so nothing accepted is lost. */
  stranded: Map<number, { id: string; json: string }> | undefined;
  dirty = false;

  constructor(
    readonly path: string,
    public fd: number,
    public firstSeq: number,
  ) {}

  get count(): number {
    return this.offsets.length;
  }

  /** Index of `seq` here, or -1. */
  indexOf(seq: number): number {
    const index = seq - this.firstSeq;
    return index >= 0 && index < this.offsets.length ? index : -1;
  }

  /** Adds a record found on disk (recovery). */
  addWritten(offset: number, size: number): void {
    this.offsets.push(offset);
    this.sizes.push(size);
    this.settled.push(false);
    this.live++;
    this.liveBytes += size;
    this.writtenCount++;
  }

  /** Reserves room for a record to be written this turn. */
  addPending(id: string, idBytes: number, json: string, size: number): void {
    this.offsets.push(this.end);
    this.sizes.push(size);
    this.settled.push(false);
    this.live++;
    this.liveBytes += size;
    this.end += size;
    this.pendingIds.push(id);
    this.pendingJson.push(json);
    this.pendingIdBytes.push(idBytes);
  }

  /** Marks a record settled; false when it already was. */
  settle(index: number): boolean {
    if (this.settled[index]) return false;
    this.settled[index] = true;
    this.live--;
    const size = this.sizes[index];
    this.liveBytes -= size;
    const start = this.offsets[index];
    const ranges = this.ackRanges;
    // Batches settle runs of neighbours: extend the last range instead of adding one.
    if (ranges.length > 0 && ranges[ranges.length - 1] === start) ranges[ranges.length - 1] = start + size;
    else ranges.push(start, start + size);
    return true;
  }

  clearPending(): void {
    this.pendingIds = [];
    this.pendingJson = [];
    this.pendingIdBytes = [];
  }

  /** Empties an idle file in place, so the next records start at offset 0 with `firstSeq`. */
  reset(firstSeq: number): void {
    fs.ftruncateSync(this.fd, 0);
    this.firstSeq = firstSeq;
    this.end = this.written = this.writtenCount = this.live = this.liveBytes = 0;
    this.offsets.length = this.sizes.length = this.settled.length = 0;
    this.ackRanges = [];
    this.stranded = undefined;
  }

  /** Closes and deletes the file; errors are ignored (nothing in it is needed any more). */
  remove(): void {
    try {
      fs.closeSync(this.fd);
    } catch {
      // already closed
    }
    fs.rmSync(this.path, { force: true });
  }
}
