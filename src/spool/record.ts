import { crc32 } from "./crc32.js";

/**
 * One record on disk:
 *
 *   0      u8   0xFF marker (a byte valid UTF-8 never contains, so a scan can find the next record)
 *   1..5   u32  CRC-32 of everything after it: bytes 5..12 of the header and the body
 *   5      u8   kind: 1 = message, 2 = acknowledgement
 *   6..8   u16  bytes of the messageId (message records; 0 for acknowledgements)
 *   8..12  u32  bytes of the body that follows the header
 *   12..   body: messageId then the message's JSON text; or, for an acknowledgement,
 *               pairs of u32 (start, end) file offsets of message records that are settled
 *
 * All integers little-endian. A torn tail or a corrupt record fails the length or CRC check.
 * The checksum comes first so that what it covers is one contiguous range: one CRC call
 * per record on the write path.
 */
export const HEADER_BYTES = 12;
export const MARKER = 0xff;
export const KIND_MESSAGE = 1;
export const KIND_ACK = 2;

/** Bytes a message record takes on disk. */
export function messageRecordBytes(idBytes: number, jsonBytes: number): number {
  return HEADER_BYTES + idBytes + jsonBytes;
}

const CRC_START = 5;

function seal(buffer: Buffer, at: number, kind: number, idBytes: number, bodyBytes: number): void {
  buffer[at] = MARKER;
  buffer[at + 5] = kind;
  buffer.writeUInt16LE(idBytes, at + 6);
  buffer.writeUInt32LE(bodyBytes, at + 8);
  buffer.writeUInt32LE(crc32(buffer.subarray(at + CRC_START, at + HEADER_BYTES + bodyBytes)), at + 1);
}

/** Writes a message record at `at`; `idBytes` and `jsonBytes` are the UTF-8 lengths. Returns its end. */
export function writeMessageRecord(
  buffer: Buffer,
  at: number,
  id: string,
  idBytes: number,
  json: string,
  jsonBytes: number,
): number {
  buffer.write(id, at + HEADER_BYTES, idBytes, "utf8");
  buffer.write(json, at + HEADER_BYTES + idBytes, jsonBytes, "utf8");
  seal(buffer, at, KIND_MESSAGE, idBytes, idBytes + jsonBytes);
  return at + HEADER_BYTES + idBytes + jsonBytes;
}

/** Bytes an acknowledgement of `ranges` (flat start, end pairs) takes. */
export function ackRecordBytes(ranges: number[]): number {
  return HEADER_BYTES + ranges.length * 4;
}

export function writeAckRecord(buffer: Buffer, at: number, ranges: number[]): number {
  for (let i = 0; i < ranges.length; i++) buffer.writeUInt32LE(ranges[i], at + HEADER_BYTES + i * 4);
  seal(buffer, at, KIND_ACK, 0, ranges.length * 4);
  return at + HEADER_BYTES + ranges.length * 4;
}

export interface ScannedMessage {
  offset: number;
  size: number;
}

export interface ScanResult {
  /** Valid message records not acknowledged in the same file, in file order. */
  messages: ScannedMessage[];
  /** Runs of bytes that were not valid records (a torn tail, garbage, a bad checksum). */
  corrupt: number;
  /** Where the last valid record ends: what follows is a torn tail or garbage. */
  validEnd: number;
}

/** Reads every record of a spool file, skipping what does not check out. */
export function scanRecords(buffer: Buffer): ScanResult {
  const found: ScannedMessage[] = [];
  const acked: number[] = [];
  let corrupt = 0;
  let inBadRun = false;
  let at = 0;
  let validEnd = 0;
  while (at < buffer.length) {
    const size = validRecordAt(buffer, at);
    if (size === 0) {
      inBadRun = true;
      const next = buffer.indexOf(MARKER, at + 1);
      at = next < 0 ? buffer.length : next;
      continue;
    }
    if (inBadRun) corrupt++;
    inBadRun = false;
    if (buffer[at + 5] === KIND_MESSAGE) found.push({ offset: at, size });
    else
      for (let p = at + HEADER_BYTES; p + 8 <= at + size; p += 8)
        acked.push(buffer.readUInt32LE(p), buffer.readUInt32LE(p + 4));
    at += size;
    validEnd = at;
  }
  if (inBadRun) corrupt++;
  return { messages: acked.length === 0 ? found : withoutAcked(found, acked), corrupt, validEnd };
}

/** The record's total size when a valid record starts at `at`, else 0. */
function validRecordAt(buffer: Buffer, at: number): number {
  if (buffer[at] !== MARKER || at + HEADER_BYTES > buffer.length) return 0;
  const kind = buffer[at + 5];
  const idBytes = buffer.readUInt16LE(at + 6);
  const bodyBytes = buffer.readUInt32LE(at + 8);
  if (
    kind === KIND_MESSAGE
      ? idBytes === 0 || idBytes > bodyBytes
      : kind !== KIND_ACK || idBytes !== 0 || bodyBytes % 8 !== 0
  )
    return 0;
  const end = at + HEADER_BYTES + bodyBytes;
  if (end > buffer.length) return 0;
  return crc32(buffer.subarray(at + CRC_START, end)) === buffer.readUInt32LE(at + 1) ? end - at : 0;
}

function withoutAcked(found: ScannedMessage[], ranges: number[]): ScannedMessage[] {
  const settled = new Set<number>();
  const starts = found.map((message) => message.offset);
  for (let i = 0; i < ranges.length; i += 2) {
    // Records are in offset order: find the first at or after the range's start.
    let lo = 0;
    let hi = starts.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (starts[mid] < ranges[i]) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo; k < starts.length && starts[k] < ranges[i + 1]; k++) settled.add(starts[k]);
  }
  return found.filter((message) => !settled.has(message.offset));
}

/** The messageId, JSON text and its UTF-8 length of the message record at `at` in `buffer`. */
export function readMessageRecord(buffer: Buffer, at: number): { id: string; json: string; bytes: number } {
  const idBytes = buffer.readUInt16LE(at + 6);
  const bodyBytes = buffer.readUInt32LE(at + 8);
  const idStart = at + HEADER_BYTES;
  return {
    id: buffer.toString("utf8", idStart, idStart + idBytes),
    json: buffer.toString("utf8", idStart + idBytes, idStart + bodyBytes),
    bytes: bodyBytes - idBytes,
  };
}
