import zlib from "node:zlib";

type Crc32 = (data: Uint8Array, initial?: number) => number;

let table: Uint32Array | undefined;

/** The classic table-driven CRC-32 (IEEE), for Node versions without zlib.crc32 (before 20.15 / 22.2). */
function tableCrc32(data: Uint8Array, initial = 0): number {
  if (table === undefined) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = ~initial >>> 0;
  for (let i = 0; i < data.length; i++) crc = table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

// The native one is several times faster, and the spool checksums every record it writes.
const native = (zlib as unknown as { crc32?: Crc32 }).crc32;

/** CRC-32 of `data`, continuing from `initial` (the CRC of what came before). */
export const crc32: Crc32 = typeof native === "function" ? native : tableCrc32;

export { tableCrc32 as crc32Portable };
