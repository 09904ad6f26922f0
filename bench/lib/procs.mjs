// Child-process helpers: every child is bounded in time and killed by its pid if it
// overstays; servers exit by themselves when their parent (this process) goes away.
import { fork } from "node:child_process";
import http from "node:http";

/** Fork a server script that sends `{ port }` over IPC once it listens. */
export function startServer(script, args = [], { timeoutMs = 15000, execArgv = [] } = {}) {
  return new Promise((resolve, reject) => {
    const child = fork(script, args, { stdio: ["ignore", "inherit", "inherit", "ipc"], execArgv });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${script} did not report its port within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once("message", (msg) => {
      clearTimeout(timer);
      resolve({
        child,
        port: msg.port,
        url: `http://127.0.0.1:${msg.port}`,
        stop: () => stopChild(child),
        usage: () => askUsage(child),
      });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before reporting its port`));
    });
  });
}

function askUsage(child) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("no usage answer")), 5000);
    const onMessage = (msg) => {
      if (msg?.type !== "usage") return;
      clearTimeout(timer);
      child.off("message", onMessage);
      resolve(msg);
    };
    child.on("message", onMessage);
    child.send("usage");
  });
}

export function stopChild(child, graceMs = 3000) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.disconnect();
    else child.kill("SIGTERM");
  });
}

/** Run a one-shot script that reports one JSON object over IPC; killed past `timeoutMs`. */
export function runOnce(script, args, { timeoutMs, execArgv = [], env } = {}) {
  return new Promise((resolve) => {
    const child = fork(script, args, {
      stdio: ["ignore", "ignore", "pipe", "ipc"],
      execArgv,
      env: env ?? process.env,
    });
    let result;
    let stderr = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (c) => {
      if (stderr.length < 4000) stderr += c;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("message", (msg) => {
      result = msg;
    });
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (!result) {
        result = {
          ok: false,
          reason: signal ? `killed (${signal}) after ${timeoutMs} ms` : `exited ${code} without a result`,
        };
      }
      if (stderr.trim()) result.stderr = stderr.trim().split("\n").slice(0, 6).join("\n");
      resolve(result);
    });
  });
}

export function httpJson(method, url) {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, agent: false }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (body += c));
      res.on("end", () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.setTimeout(10000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}
