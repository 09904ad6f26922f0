import fs from "node:fs";
import { ThreadlineError } from "../errors.js";
import { Owner } from "./owner.js";
import {
  ackRecordBytes,
  HEADER_BYTES,
  messageRecordBytes,
  readMessageRecord,
  scanRecords,
  writeAckRecord,
  writeMessageRecord,
} from "./record.js";
import { Segment } from "./segment.js";

/** A new segment is started once the current one reaches this size; settled segments are deleted. */
const SEGMENT_BYTES = 1024 * 1024;
/** A turn's writes go out in pieces of about this size, so a huge burst never builds one huge buffer. */
const WRITE_CHUNK_BYTES = 1024 * 1024;

export interface SpoolHooks {
  /** The spool cannot be written (reported once); the client goes on in memory. */
  unavailable(error: ThreadlineError): void;
  /** Records found at recovery that failed their checks were skipped. */
  corrupt(error: ThreadlineError): void;
}

export interface SpooledRecord {
  id: string;
  json: string;
  bytes: number;
}

/** Every spool with writes waiting, so `process.exit()` in the same turn still hands them to the kernel. */
const open = new Set<Spool>();
let exitHooked = false;

function onExit(): void {
  for (const spool of open) spool.write();
}

/**
 * The files of one client under a spool directory: appends grouped into one write
 * per turn, settlements recorded as acknowledgement records, segments deleted once
 * all their records settled, and recovery of the files of processes that are gone.
 * Sequence numbers are the client's: adopted records take 1..n, then each append the next.
 */
export class Spool {
  /** Whether writes still work; after the first failure the client goes on in memory. */
  usable = true;
  liveBytes = 0;
  nextSeq = 1;
  /** The segments, in sequence order: adopted ones first. */
  private readonly segments: Segment[] = [];
  private current: Segment | undefined;
  private readonly dirty: Segment[] = [];
  private pendingBytes = 0;
  /**
   * One buffer for every write and read, grown as needed: writes and reads are
   * synchronous, so it is free again when they return, and a long outage does not
   * leave a trail of 1 MiB buffers for the GC.
   */
  private scratch = Buffer.allocUnsafe(64 * 1024);
  private writeScheduled = false;
  private closed = false;

  private constructor(
    private readonly owner: Owner,
    private readonly hooks: SpoolHooks,
  ) {}

  /**
   * Opens a spool in `dir`, adopting the files of gone processes. Returns undefined
   * (after reporting `spool_unavailable`) when the directory cannot be used.
   */
  static open(dir: string, hooks: SpoolHooks): Spool | undefined {
    let owner: Owner;
    try {
      owner = Owner.create(dir);
    } catch (cause) {
      hooks.unavailable(unavailableError(dir, cause));
      return undefined;
    }
    const spool = new Spool(owner, hooks);
    try {
      spool.recover(owner.adoptGone());
    } catch (cause) {
      // Adoption needs renames and reads; a directory that refuses them is unusable for writing too.
      spool.fail(cause);
    }
    if (!exitHooked) {
      exitHooked = true;
      process.on("exit", onExit);
    }
    open.add(spool);
    return spool;
  }

  /** Segments adopted at start, in order (the backlog to send); see takeAdopted(). */
  private adopted: Segment[] = [];

  /** The adopted segments, once: the spool keeps no list of them after, so retired ones can be collected. */
  takeAdopted(): Segment[] {
    const adopted = this.adopted;
    this.adopted = [];
    return adopted;
  }

  /** The segment and index of an appended record, or undefined when it is not in the spool. */
  locate(seq: number): { segment: Segment; index: number } | undefined {
    const s = this.segmentIndexOf(seq);
    const segment = this.segments[s];
    const index = segment === undefined ? -1 : segment.indexOf(seq);
    return index < 0 ? undefined : { segment, index };
  }

  private recover(paths: string[]): void {
    let corrupt = 0;
    for (const file of paths) {
      const data = fs.readFileSync(file);
      const scan = scanRecords(data);
      corrupt += scan.corrupt;
      if (scan.messages.length === 0) {
        fs.rmSync(file, { force: true });
        continue;
      }
      const fd = fs.openSync(file, "r+");
      // A torn tail is cut off, so acknowledgements appended later follow a valid record.
      if (scan.validEnd < data.length) fs.ftruncateSync(fd, scan.validEnd);
      const segment = new Segment(file, fd, this.nextSeq);
      for (const message of scan.messages) segment.addWritten(message.offset, message.size);
      segment.end = segment.written = scan.validEnd;
      this.nextSeq += segment.count;
      this.liveBytes += segment.liveBytes;
      this.segments.push(segment);
    }
    this.adopted = this.segments.slice();
    if (corrupt > 0) {
      this.hooks.corrupt(
        new ThreadlineError(
          "spool_corrupt",
          `Skipped ${corrupt} corrupt or torn record${corrupt === 1 ? "" : "s"} in the spool at ${this.owner.dir}; the rest is sent`,
        ),
      );
    }
  }

  /** Adds an accepted message; it reaches the kernel with the turn's grouped write. Returns its sequence number. */
  append(id: string, json: string, jsonBytes: number): number {
    const seq = this.nextSeq++;
    if (!this.usable) return seq;
    let segment = this.current;
    if (segment === undefined || segment.end >= SEGMENT_BYTES) {
      segment = this.startSegment(seq);
      if (segment === undefined) return seq;
    }
    // Ids are usually ASCII UUIDs: their UTF-8 length is their length.
    const idBytes = isAscii(id) ? id.length : Buffer.byteLength(id);
    const size = messageRecordBytes(idBytes, jsonBytes);
    segment.addPending(id, idBytes, json, size);
    this.liveBytes += size;
    this.markDirty(segment);
    this.pendingBytes += size;
    // A burst larger than a chunk is written now, in pieces: memory stays bounded within one turn.
    if (this.pendingBytes >= WRITE_CHUNK_BYTES) this.write();
    return seq;
  }

  /** A message settled (delivered, definitively failed or dropped): it leaves the spool. */
  settle(firstSeq: number, count: number): void {
    let s = this.segmentIndexOf(firstSeq);
    if (s < 0) return;
    let seq = firstSeq;
    const last = firstSeq + count - 1;
    while (seq <= last && s < this.segments.length) {
      const segment = this.segments[s];
      let index = segment.indexOf(seq);
      if (index < 0) {
        if (seq < segment.firstSeq) seq = segment.firstSeq;
        else s++;
        continue;
      }
      for (; index < segment.count && seq <= last; index++, seq++) {
        const size = segment.sizes[index];
        if (segment.settle(index)) this.liveBytes -= size;
      }
      this.markDirty(segment);
      s++;
    }
  }

  /**
   * Reads records `from` up to `from + maxCount` of `segment` (fewer when they span
   * more than a write chunk). Records the turn has not written yet are written first.
   */
  read(segment: Segment, from: number, maxCount: number): SpooledRecord[] {
    if (from + maxCount > segment.writtenCount && this.pendingBytes > 0) this.write();
    const to = Math.min(from + maxCount, segment.count);
    const out: SpooledRecord[] = [];
    let index = from;
    while (index < to) {
      const stranded = segment.stranded?.get(index);
      if (stranded !== undefined) {
        out.push({ id: stranded.id, json: stranded.json, bytes: Buffer.byteLength(stranded.json) });
        index++;
        continue;
      }
      const start = segment.offsets[index];
      let stop = index + 1;
      while (
        stop < to &&
        segment.stranded?.has(stop) !== true &&
        segment.offsets[stop] + segment.sizes[stop] - start <= WRITE_CHUNK_BYTES
      )
        stop++;
      const span = segment.offsets[stop - 1] + segment.sizes[stop - 1] - start;
      const buffer = this.buffer(span);
      let got = 0;
      while (got < span) {
        const n = fs.readSync(segment.fd, buffer, got, span - got, start + got);
        if (n === 0) break;
        got += n;
      }
      for (let i = index; i < stop; i++) {
        const { id, json, bytes } = readMessageRecord(buffer, segment.offsets[i] - start);
        out.push({ id, json, bytes });
      }
      index = stop;
    }
    return out;
  }

  /** The grouped write: every record and acknowledgement waiting, one write per file and chunk. */
  write(): void {
    this.writeScheduled = false;
    this.pendingBytes = 0;
    const dirty = this.dirty.splice(0);
    for (const segment of dirty) {
      segment.dirty = false;
      if (this.usable) this.writeSegment(segment);
      else if (segment.pendingIds.length > 0) this.strand(segment);
      if (segment.live === 0 && segment.pendingIds.length === 0) this.retire(segment);
    }
  }

  /** Stops writing: what is waiting goes to the kernel; unsettled records stay for the next process. */
  close(): void {
    if (this.closed) return;
    this.write();
    this.closed = true;
    open.delete(this);
    for (const segment of this.segments) {
      if (segment.live === 0) segment.remove();
      else closeQuietly(segment.fd);
    }
    this.segments.length = 0;
    this.current = undefined;
    this.owner.release();
  }

  private writeSegment(segment: Segment): void {
    const records = segment.pendingIds.length;
    const acks = segment.live > 0 && segment.ackRanges.length > 0 ? segment.ackRanges : undefined;
    if (records === 0 && acks === undefined) return;
    let index = segment.writtenCount;
    try {
      let first = 0;
      while (first < records) {
        // Records of one chunk are contiguous in the file: one buffer, one write.
        let last = first;
        let bytes = 0;
        while (last < records && (last === first || bytes + segment.sizes[index + last - first] <= WRITE_CHUNK_BYTES)) {
          bytes += segment.sizes[index + last - first];
          last++;
        }
        const buffer = this.buffer(bytes);
        let at = 0;
        for (let r = first; r < last; r++) {
          const idBytes = segment.pendingIdBytes[r];
          const jsonBytes = segment.sizes[index + r - first] - HEADER_BYTES - idBytes;
          at = writeMessageRecord(buffer, at, segment.pendingIds[r], idBytes, segment.pendingJson[r], jsonBytes);
        }
        writeFully(segment.fd, buffer, segment.written, bytes);
        segment.written += bytes;
        segment.writtenCount += last - first;
        index += last - first;
        first = last;
      }
      segment.clearPending();
      if (acks !== undefined) {
        const bytes = ackRecordBytes(acks);
        const buffer = this.buffer(bytes);
        writeAckRecord(buffer, 0, acks);
        segment.ackRanges = [];
        writeFully(segment.fd, buffer, segment.written, bytes);
        segment.written += bytes;
        segment.end = Math.max(segment.end, segment.written);
      }
    } catch (cause) {
      this.strand(segment);
      this.fail(cause);
    }
  }

  /** Keeps records whose write failed in memory, and cuts a partial record off the file. */
  private strand(segment: Segment): void {
    segment.stranded ??= new Map();
    for (let r = 0; r < segment.pendingIds.length; r++) {
      const index = segment.writtenCount + r;
      if (!segment.settled[index])
        segment.stranded.set(index, { id: segment.pendingIds[r], json: segment.pendingJson[r] });
    }
    segment.writtenCount = segment.count;
    segment.clearPending();
    segment.ackRanges = [];
    try {
      fs.ftruncateSync(segment.fd, segment.written);
    } catch {
      // The next process skips a torn tail anyway.
    }
  }

  /** A segment whose records all settled: emptied in place when current, else deleted. */
  private retire(segment: Segment): void {
    if (segment === this.current && this.usable) {
      try {
        segment.reset(this.nextSeq);
        return;
      } catch {
        this.current = undefined;
      }
    }
    if (segment === this.current) this.current = undefined;
    segment.remove();
    const at = this.segments.indexOf(segment);
    if (at >= 0) this.segments.splice(at, 1);
  }

  private startSegment(seq: number): Segment | undefined {
    const file = this.owner.nextSegmentPath();
    try {
      const segment = new Segment(file, fs.openSync(file, "wx+"), seq);
      this.segments.push(segment);
      this.current = segment;
      return segment;
    } catch (cause) {
      this.fail(cause);
      return undefined;
    }
  }

  private markDirty(segment: Segment): void {
    if (!segment.dirty) {
      segment.dirty = true;
      this.dirty.push(segment);
    }
    if (!this.writeScheduled && !this.closed) {
      this.writeScheduled = true;
      // "On disk before the end of the turn": this runs before any setImmediate queued after the call.
      setImmediate(() => {
        if (this.writeScheduled) this.write();
      });
    }
  }

  private buffer(bytes: number): Buffer {
    if (this.scratch.length < bytes) this.scratch = Buffer.allocUnsafe(Math.max(bytes, this.scratch.length * 2));
    return this.scratch;
  }

  private segmentIndexOf(seq: number): number {
    let lo = 0;
    let hi = this.segments.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (this.segments[mid].firstSeq <= seq) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 && this.segments.length > 0 ? 0 : found;
  }

  private fail(cause: unknown): void {
    if (!this.usable) return;
    this.usable = false;
    this.hooks.unavailable(unavailableError(this.owner.dir, cause));
  }
}

function unavailableError(dir: string, cause: unknown): ThreadlineError {
  const code = (cause as NodeJS.ErrnoException)?.code;
  return new ThreadlineError(
    "spool_unavailable",
    `The spool at ${dir} cannot be written${code ? ` (${code})` : ""}: going on in memory, so a crash now loses what is queued`,
    { cause },
  );
}

function writeFully(fd: number, buffer: Buffer, position: number, length: number): void {
  let done = 0;
  while (done < length) done += fs.writeSync(fd, buffer, done, length - done, position + done);
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed: nothing of it is needed any more.
  }
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}
