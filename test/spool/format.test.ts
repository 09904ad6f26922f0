import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { crc32, crc32Portable } from "../../src/spool/crc32.js";
import { Owner, processStartTime } from "../../src/spool/owner.js";
import {
  ackRecordBytes,
  messageRecordBytes,
  readMessageRecord,
  scanRecords,
  writeAckRecord,
  writeMessageRecord,
} from "../../src/spool/record.js";
import { removeDir, tempDir } from "./helpers.js";

function records(messages: Array<[string, string]>): Buffer {
  const sizes = messages.map(([id, json]) => messageRecordBytes(Buffer.byteLength(id), Buffer.byteLength(json)));
  const buffer = Buffer.alloc(sizes.reduce((a, b) => a + b, 0));
  let at = 0;
  for (const [id, json] of messages)
    at = writeMessageRecord(buffer, at, id, Buffer.byteLength(id), json, Buffer.byteLength(json));
  return buffer;
}

describe("record format", () => {
  const messages: Array<[string, string]> = [
    ["a", '{"type":"track","event":"A"}'],
    ["b-ünï", '{"type":"track","event":"Bé 🚀"}'],
    ["c", '{"type":"identify","traits":{"n":1}}'],
  ];

  it("reads back what it wrote, ids and JSON text exactly (UTF-8 included)", () => {
    const buffer = records(messages);
    const scan = scanRecords(buffer);
    expect(scan.corrupt).toBe(0);
    expect(scan.validEnd).toBe(buffer.length);
    expect(scan.messages.map((m) => readMessageRecord(buffer, m.offset))).toEqual(
      messages.map(([id, json]) => ({ id, json, bytes: Buffer.byteLength(json) })),
    );
  });

  it("a torn tail counts as one corrupt record and ends the valid part before it", () => {
    const whole = records(messages);
    const scan = scanRecords(whole.subarray(0, whole.length - 3));
    expect(scan.messages).toHaveLength(2);
    expect(scan.corrupt).toBe(1);
    expect(scan.validEnd).toBe(scan.messages[1].offset + scan.messages[1].size);
  });

  it("a flipped byte fails the checksum; the scan finds the next record after it", () => {
    const buffer = records(messages);
    const second = scanRecords(buffer).messages[1];
    buffer[second.offset + 20] ^= 0x01;
    const scan = scanRecords(buffer);
    expect(scan.corrupt).toBe(1);
    expect(scan.messages.map((m) => readMessageRecord(buffer, m.offset).id)).toEqual(["a", "c"]);
  });

  it("garbage is one corrupt run, not a crash", () => {
    const scan = scanRecords(
      Buffer.from("\xff\xff\x01\x02garbage\xff\x00\x00\x00\x00\x01\x00\x00\x10\x00\x00\x00", "latin1"),
    );
    expect(scan).toEqual({ messages: [], corrupt: 1, validEnd: 0 });
  });

  it("acknowledgement records hide the messages they settle", () => {
    const buffer = records(messages);
    const found = scanRecords(buffer).messages;
    const ranges = [found[0].offset, found[0].offset + found[0].size, found[2].offset, found[2].offset + found[2].size];
    const ack = Buffer.alloc(ackRecordBytes(ranges));
    writeAckRecord(ack, 0, ranges);
    const withAck = Buffer.concat([buffer, ack]);
    const scan = scanRecords(withAck);
    expect(scan.corrupt).toBe(0);
    expect(scan.messages.map((m) => readMessageRecord(withAck, m.offset).id)).toEqual(["b-ünï"]);
  });

  it("the portable CRC-32 (for Node without zlib.crc32) agrees with the one in use", () => {
    const data = Buffer.from("threadline spool ✓".repeat(50));
    expect(crc32Portable(data)).toBe(crc32(data));
    expect(crc32Portable(data.subarray(7), crc32Portable(data.subarray(0, 7)))).toBe(crc32(data));
    // The standard check value of CRC-32/ISO-HDLC.
    expect(crc32Portable(Buffer.from("123456789"))).toBe(0xcbf43926);
  });
});

describe("owners: whose files may be adopted", () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir !== undefined) removeDir(dir);
    dir = undefined;
  });

  /** A segment of owner `name`, with a lock saying `lock` (or no lock). */
  function plant(name: string, lock: object | undefined): void {
    mkdirSync(dir!, { recursive: true });
    writeFileSync(join(dir!, `${name}.0.seg`), "");
    if (lock !== undefined) writeFileSync(join(dir!, `${name}.lock`), JSON.stringify(lock));
  }

  it("adopts a dead pid's files, a reused pid's (other start time), an earlier incarnation of our own pid, and orphans; leaves the living alone", async () => {
    dir = tempDir("owners");
    const sleeper = spawn(process.execPath, ["-e", "setTimeout(() => {}, 20000)"], { stdio: "ignore" });
    try {
      const exited = spawn(process.execPath, ["-e", "0"], { stdio: "ignore" });
      await new Promise((resolve) => exited.on("exit", resolve));
      const host = hostname();
      plant("tl-1-00000001", { pid: exited.pid, host }); // dead
      plant("tl-2-00000002", { pid: sleeper.pid, host, start: "1" }); // pid alive, but another process
      plant("tl-3-00000003", { pid: process.pid, host, start: processStartTime(process.pid) }); // our pid, not one of our owners
      plant("tl-4-00000004", undefined); // no lock: closed, or left half-adopted
      plant("tl-5-00000005", { pid: sleeper.pid, host, start: processStartTime(sleeper.pid!) }); // alive
      plant("tl-6-00000006", { pid: exited.pid, host: `${host}-elsewhere` }); // another machine: cannot tell
      const owner = Owner.create(dir);
      const adopted = owner.adoptGone();
      expect(adopted).toHaveLength(4);
      const left = readdirSync(dir)
        .filter((file) => !file.startsWith(owner.name))
        .sort();
      expect(left).toEqual(["tl-5-00000005.0.seg", "tl-5-00000005.lock", "tl-6-00000006.0.seg", "tl-6-00000006.lock"]);
      // Owners of this live process (the adopter, now holding those four, and another) are never adopted.
      const other = Owner.create(dir);
      writeFileSync(join(dir, `${other.name}.0.seg`), "");
      const third = Owner.create(dir);
      expect(third.adoptGone()).toEqual([]);
      // Once released, what an owner left is adoptable at once.
      other.release();
      expect(third.adoptGone()).toHaveLength(1);
      third.release();
      owner.release();
    } finally {
      sleeper.kill("SIGKILL");
    }
  });
});
