import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach } from "vitest";
import { startCollector, type Collector } from "../../src/dev/index.js";

/** The repository root: children run from here, as `npm run demo` would. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A quiet collector on 127.0.0.1, port 0, with a temp data file; closed after the test. */
export async function testCollector(): Promise<Collector> {
  const dir = mkdtempSync(join(tmpdir(), "threadline-examples-"));
  const collector = await startCollector({ port: 0, dataFile: join(dir, "events.ndjson"), quiet: true });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  cleanups.push(() => collector.close());
  return collector;
}

export async function eventsIn(collector: { url: string }, query = ""): Promise<Array<Record<string, any>>> {
  const res = await fetch(`${collector.url}/dev/events${query}`, { signal: AbortSignal.timeout(5000) });
  return ((await res.json()) as { events: Array<Record<string, any>> }).events;
}

export interface Child {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in stdout; rejects on exit or after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** Resolves when the child exits; after `timeoutMs` it is killed and the promise rejects. */
  exit(timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
}

/** `node <args>` from the repo root; killed after the test if it is still running. */
export function spawnNode(args: string[], env: Record<string, string> = {}): Child {
  const started = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal, ms: Date.now() - started })),
  );
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  });

  return {
    process: child,
    stdout: () => out,
    stderr: () => err,
    waitFor(pattern, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out.match(pattern);
          if (match) return finish(() => resolve(match));
          if (child.exitCode !== null || child.signalCode !== null) {
            finish(() =>
              reject(new Error(`child exited before printing ${pattern}\nstdout:\n${out}\nstderr:\n${err}`)),
            );
          }
        };
        const timer = setTimeout(
          () =>
            finish(() => reject(new Error(`no ${pattern} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`))),
          timeoutMs,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          child.stdout!.off("data", check);
          child.off("exit", check);
          settle();
        };
        child.stdout!.on("data", check);
        child.on("exit", check);
        check();
      });
    },
    async exit(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          child.kill("SIGKILL");
          reject(new Error(`child still running after ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`));
        }, timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** True when something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}
