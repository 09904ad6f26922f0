import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { COLLECTOR_DEFAULTS } from "./options.js";
import { Ring } from "./ring.js";
import type { StoredMessage } from "./validate.js";

export interface RejectedMessage {
  reason: string;
  message: unknown;
}

/** What `/dev/rejected` shows of a message too big to keep whole. */
export interface TruncatedMessage {
  truncated: true;
  bytes: number;
  preview: string;
}

// Rejected messages are kept whole up to twice the message limit (a message just over it is
// what one wants to see); bigger ones as a preview, so the ring's memory has a ceiling.
const KEEP_WHOLE_BYTES = 64 * 1024;
const PREVIEW_CHARS = 1024;

function keptForm(message: unknown): unknown {
  if (typeof message !== "object" || message === null) return message;
  const text = JSON.stringify(message);
  if (text.length <= KEEP_WHOLE_BYTES) return message;
  const truncated: TruncatedMessage = {
    truncated: true,
    bytes: Buffer.byteLength(text),
    preview: text.slice(0, PREVIEW_CHARS),
  };
  return truncated;
}

/**
 * Accepted messages in arrival order, backed by an append-only NDJSON file, plus the
 * newest rejected ones (memory only, in a bounded ring: they are for looking at, not for
 * replaying, and a sender stuck in a loop of bad messages must not grow the collector).
 *
 * Writes are synchronous on purpose: a batch is on disk before its 200 goes out, and a
 * failed write leaves memory untouched, so memory and file never disagree.
 */
export class EventStore {
  readonly events: StoredMessage[] = [];
  private readonly rejectedRing: Ring<RejectedMessage>;
  private readonly seenIds = new Set<string>();
  readonly file: string;
  /** Lines of the file that could not be read back (e.g. cut short by a crash). */
  skippedLines = 0;

  constructor(dataFile: string, maxRejected: number = COLLECTOR_DEFAULTS.maxRejected) {
    this.file = resolve(dataFile);
    this.rejectedRing = new Ring(maxRejected);
  }

  /** The newest rejected messages, oldest first. */
  get rejected(): RejectedMessage[] {
    return this.rejectedRing.toArray();
  }

  /** Rejected messages no longer kept (older than the newest `maxRejected`). */
  get rejectedDropped(): number {
    return this.rejectedRing.dropped;
  }

  /** Creates the folder and reloads the events and seen `messageId`s of an earlier run. */
  load(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    let text: string;
    try {
      text = readFileSync(this.file, "utf8");
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
      throw error;
    }
    for (const line of text.split("\n")) {
      if (line.trim() === "") continue;
      try {
        const message = JSON.parse(line) as StoredMessage;
        if (typeof message?.messageId !== "string") {
          this.skippedLines += 1;
          continue;
        }
        if (this.seenIds.has(message.messageId)) continue;
        this.seenIds.add(message.messageId);
        this.events.push(message);
      } catch {
        this.skippedLines += 1;
      }
    }
  }

  hasSeen(messageId: string): boolean {
    return this.seenIds.has(messageId);
  }

  /** Appends to the file, then to memory. */
  append(messages: StoredMessage[]): void {
    if (messages.length === 0) return;
    const lines = messages.map((message) => JSON.stringify(message) + "\n").join("");
    try {
      appendFileSync(this.file, lines);
    } catch (error) {
      // Someone removed the folder while we ran (e.g. `rm -rf .threadline`): make it again.
      if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      mkdirSync(dirname(this.file), { recursive: true });
      appendFileSync(this.file, lines);
    }
    for (const message of messages) {
      this.seenIds.add(message.messageId);
      this.events.push(message);
    }
  }

  reject(entries: RejectedMessage[]): void {
    // Only the newest `capacity` of a batch can stay: the others are counted, never copied.
    const skip = Math.max(0, entries.length - this.rejectedRing.capacity);
    this.rejectedRing.countDropped(skip);
    for (let i = skip; i < entries.length; i += 1) {
      this.rejectedRing.push({ reason: entries[i]!.reason, message: keptForm(entries[i]!.message) });
    }
  }

  /** Empties events, rejected, seen ids and the file. */
  reset(): void {
    writeFileSync(this.file, "");
    this.events.length = 0;
    this.rejectedRing.clear();
    this.seenIds.clear();
  }
}
