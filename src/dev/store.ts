import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { StoredMessage } from "./validate.js";

export interface RejectedMessage {
  reason: string;
  message: unknown;
}

/**
 * Accepted messages in arrival order, backed by an append-only NDJSON file, plus the
 * rejected ones (memory only: they are for looking at, not for replaying).
 *
 * Writes are synchronous on purpose: a batch is on disk before its 200 goes out, and a
 * failed write leaves memory untouched, so memory and file never disagree.
 */
export class EventStore {
  readonly events: StoredMessage[] = [];
  readonly rejected: RejectedMessage[] = [];
  private readonly seenIds = new Set<string>();
  readonly file: string;
  /** Lines of the file that could not be read back (e.g. cut short by a crash). */
  skippedLines = 0;

  constructor(dataFile: string) {
    this.file = resolve(dataFile);
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
    this.rejected.push(...entries);
  }

  /** Empties events, rejected, seen ids and the file. */
  reset(): void {
    writeFileSync(this.file, "");
    this.events.length = 0;
    this.rejected.length = 0;
    this.seenIds.clear();
  }
}
