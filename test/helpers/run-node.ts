// Runs `node ARGS` in a child process, bounded in time: what a test needs of a script
// that exercises the built package as a user's program would.
import { spawn } from "node:child_process";

export interface NodeRun {
  code: number | null;
  /** `Date.now()` when the child exited. */
  exitedAt: number;
  stdout: string;
  stderr: string;
}

/** `node ...args` with `env` over the test's environment; rejects (after killing it) when it outlives `timeoutMs`. */
export function runNode(
  args: string[],
  env: Record<string, string>,
  { timeoutMs = 15_000, cwd }: { timeoutMs?: number; cwd?: string } = {},
): Promise<NodeRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd,
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const killer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`child did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(killer);
      done({ code, exitedAt: Date.now(), stdout, stderr });
    });
  });
}
