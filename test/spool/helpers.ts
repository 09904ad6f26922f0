import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const DIST = resolve(__dirname, "../../dist/index.js");
const CHILD = resolve(__dirname, "child.mjs");

export function requireDist(): void {
  if (!existsSync(DIST)) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
}

export function tempDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `threadline-spool-${label}-`));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Bytes of the files in `dir`. */
export function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, file) => sum + statSync(join(dir, file)).size, 0);
}

export interface ChildLine {
  ready?: number;
  accepted?: string[];
  error?: string;
  message?: string;
  drop?: string;
  count?: number;
  tracked?: number;
  closed?: { delivered: number; failed: number; dropped: number; pending: number };
  baseRss?: number;
  peakRss?: number;
  pending?: number;
}

/** A child process running test/spool/child.mjs, with its stdout parsed line by line. */
export class Child {
  readonly lines: ChildLine[] = [];
  readonly accepted: string[] = [];
  stderr = "";
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly process: ChildProcess;
  private partial = "";
  private readonly guard: NodeJS.Timeout;

  constructor(env: Record<string, string>, command: string[] = [process.execPath, CHILD], timeoutMs = 60_000) {
    this.process = spawn(command[0], command.slice(1), {
      env: { ...process.env, DIST, ...env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.process.stdout!.on("data", (chunk: Buffer) => {
      const text = this.partial + chunk.toString("utf8");
      const parts = text.split("\n");
      this.partial = parts.pop()!;
      for (const part of parts) {
        if (part === "") continue;
        const line = JSON.parse(part) as ChildLine;
        this.lines.push(line);
        if (line.accepted) for (const id of line.accepted) this.accepted.push(id);
      }
    });
    this.process.stderr!.on("data", (chunk: Buffer) => (this.stderr += chunk.toString("utf8")));
    // Every child stops by itself: killed by the test, or by this guard.
    this.guard = setTimeout(() => this.process.kill("SIGKILL"), timeoutMs);
    this.exited = new Promise((done) =>
      this.process.on("exit", (code, signal) => {
        clearTimeout(this.guard);
        done({ code, signal });
      }),
    );
  }

  get pid(): number {
    return this.process.pid!;
  }

  send(text: string): void {
    this.process.stdin!.write(text + "\n");
  }

  async kill(): Promise<void> {
    this.process.kill("SIGKILL");
    await this.exited;
  }

  /** Resolves with the first line (from now or earlier) that `match` accepts. */
  async waitForLine(match: (line: ChildLine) => boolean, timeoutMs = 20_000, what = "a line"): Promise<ChildLine> {
    const start = Date.now();
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (Date.now() - start > timeoutMs)
        throw new Error(
          `child ${this.pid}: no ${what} within ${timeoutMs} ms; stderr: ${this.stderr}; lines: ${JSON.stringify(this.lines.slice(-5))}`,
        );
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  errors(code: string): ChildLine[] {
    return this.lines.filter((line) => line.error === code);
  }
}

/** Small seeded PRNG (mulberry32), so a failing crash schedule can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
