import { randomBytes } from "node:crypto";
import fs from "node:fs";
import { hostname } from "node:os";
import path from "node:path";

/**
 * Who owns which spool file. Every client on a directory is an owner named
 * `tl-<pid>-<token>`; it writes `<owner>.lock` (pid, process start time, host) and
 * its segments `<owner>.<n>.seg`. Another owner's files are adopted only when that
 * owner is gone, and adoption renames each segment into the adopter's name: rename
 * is atomic, so of two processes starting at once exactly one gets each file.
 */
const LOCK_SUFFIX = ".lock";
const SEGMENT_PATTERN = /^(tl-\d+-[0-9a-f]+)\.(\d+)\.seg$/;
const LOCK_PATTERN = /^(tl-\d+-[0-9a-f]+)\.lock$/;

interface LockContent {
  pid: number;
  /** Process start time (Linux: clock ticks since boot), to tell a reused pid from the owner. */
  start?: string;
  host: string;
}

/** Owners created by this process and not yet closed: same pid, so only this set tells them apart. */
const liveHere = new Set<string>();

let ownStart: string | undefined | null = null;

/** Start time of a process from /proc (Linux); undefined where there is no /proc. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) may contain spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[19];
  } catch {
    return undefined;
  }
}

export class Owner {
  readonly name: string;
  private nextSegment = 0;

  private constructor(
    readonly dir: string,
    name: string,
  ) {
    this.name = name;
  }

  /** Creates `dir` if needed and writes this owner's lock. Throws the file system's error. */
  static create(dir: string): Owner {
    fs.mkdirSync(dir, { recursive: true });
    const owner = new Owner(dir, `tl-${process.pid}-${randomBytes(6).toString("hex")}`);
    if (ownStart === null) ownStart = processStartTime(process.pid);
    const content: LockContent = { pid: process.pid, host: hostname() };
    if (ownStart !== undefined) content.start = ownStart;
    // Written aside then renamed: a lock is either absent or complete, never half-written.
    const lock = owner.path(LOCK_SUFFIX);
    try {
      fs.writeFileSync(lock + ".tmp", JSON.stringify(content), { flag: "wx" });
      fs.renameSync(lock + ".tmp", lock);
    } catch (error) {
      fs.rmSync(lock + ".tmp", { force: true });
      throw error;
    }
    liveHere.add(owner.name);
    return owner;
  }

  path(suffix: string): string {
    return path.join(this.dir, this.name + suffix);
  }

  /** A fresh path for one of this owner's segments. */
  nextSegmentPath(): string {
    return this.path(`.${this.nextSegment++}.seg`);
  }

  /**
   * Takes over the segments of every owner that is gone, oldest first, by renaming
   * them into this owner's name. Returns the new paths, in the order to send them.
   */
  adoptGone(): string[] {
    const byOwner = new Map<string, { n: number; file: string }[]>();
    const lockOnly = new Set<string>();
    for (const file of fs.readdirSync(this.dir)) {
      const lock = LOCK_PATTERN.exec(file);
      if (lock !== null && lock[1] !== this.name) lockOnly.add(lock[1]);
      const match = SEGMENT_PATTERN.exec(file);
      if (match === null || match[1] === this.name) continue;
      const list = byOwner.get(match[1]) ?? [];
      list.push({ n: Number(match[2]), file });
      byOwner.set(match[1], list);
    }
    const candidates: { file: string; mtimeMs: number; n: number; owner: string }[] = [];
    for (const [owner, files] of byOwner) {
      if (!this.isGone(owner)) continue;
      for (const { n, file } of files) {
        try {
          candidates.push({ file, n, owner, mtimeMs: fs.statSync(path.join(this.dir, file)).mtimeMs });
        } catch {
          // Another process took it between the listing and now.
        }
      }
    }
    // Oldest owner first (by its first segment's time), and each owner's segments in order.
    const firstTime = new Map<string, number>();
    for (const c of candidates) firstTime.set(c.owner, Math.min(firstTime.get(c.owner) ?? Infinity, c.mtimeMs));
    candidates.sort(
      (a, b) => firstTime.get(a.owner)! - firstTime.get(b.owner)! || a.owner.localeCompare(b.owner) || a.n - b.n,
    );
    const adopted: string[] = [];
    for (const { file } of candidates) {
      const target = this.nextSegmentPath();
      try {
        fs.renameSync(path.join(this.dir, file), target);
        adopted.push(target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
    // The locks of gone owners go too, with or without segments, so a directory does not collect them.
    for (const owner of byOwner.keys()) {
      lockOnly.delete(owner);
      if (firstTime.has(owner)) fs.rmSync(path.join(this.dir, owner + LOCK_SUFFIX), { force: true });
    }
    for (const owner of lockOnly)
      if (this.isGone(owner)) fs.rmSync(path.join(this.dir, owner + LOCK_SUFFIX), { force: true });
    return adopted;
  }

  /** Whether the owner of these files has ended (or its lock is gone, or a new process has its pid). */
  private isGone(owner: string): boolean {
    let lock: LockContent;
    try {
      lock = JSON.parse(fs.readFileSync(path.join(this.dir, owner + LOCK_SUFFIX), "utf8")) as LockContent;
    } catch (error) {
      // No lock: its owner closed (leaving unsent messages for the next one) or was itself adopted.
      // An unreadable lock was not written by us: locks are renamed into place complete.
      return (error as NodeJS.ErrnoException).code === "ENOENT" || error instanceof SyntaxError;
    }
    // A directory shared across machines: their pids mean nothing here, so leave their files alone.
    if (lock.host !== hostname()) return false;
    if (lock.pid === process.pid) return !liveHere.has(owner);
    try {
      process.kill(lock.pid, 0);
    } catch (error) {
      // EPERM: alive, under another user.
      return (error as NodeJS.ErrnoException).code === "ESRCH";
    }
    const start = processStartTime(lock.pid);
    return start !== undefined && lock.start !== undefined && start !== lock.start;
  }

  /** Ends ownership: the lock goes, so whatever segments remain are adoptable at once. */
  release(): void {
    liveHere.delete(this.name);
    fs.rmSync(this.path(LOCK_SUFFIX), { force: true });
  }
}
