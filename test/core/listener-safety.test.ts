import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestCollector, type Reply, type TestCollector } from "../helpers/collector.js";
import { runNode } from "../helpers/run-node.js";

// A listener (or per-call callback) that throws or rejects is the app's bug: it is reported
// once on stderr and changes no outcome. Each row runs the built package in a child with
// --unhandled-rejections=strict, so a stray rejection would fail it by exit code.
const DIST = resolve(__dirname, "../../dist/index.js");
const CHILD = resolve(__dirname, "fixtures/throwing-listener.mjs");

let collector: TestCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

beforeAll(() => {
  if (!existsSync(DIST)) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
});

interface ChildReport {
  hung?: boolean;
  result: { delivered: number; failed: number; dropped: number; pending: number };
  closed: { delivered: number; failed: number; dropped: number; pending: number };
  callbacks: number;
  delivered: number;
  retry: number;
  drop: number;
  error: number;
  attempts: number[];
  errorCodes: string[];
}

async function runChild(
  env: Record<string, string>,
): Promise<{ code: number | null; report: ChildReport | undefined; stderr: string }> {
  const { code, stdout, stderr } = await runNode(["--unhandled-rejections=strict", CHILD], {
    THREADLINE_DIST: DIST,
    ...env,
  });
  const line = stdout.trim().split("\n").pop();
  return { code, report: line ? (JSON.parse(line) as ChildReport) : undefined, stderr };
}

const ok: Reply = { status: 200 };
type Row = {
  listener: "delivered" | "retry" | "drop" | "error" | "callback";
  /** The collector's answer to the n-th request. */
  reply: (index: number) => Reply;
  maxQueue?: number;
  result: ChildReport["result"];
  retries: number;
  attempts: number[];
  errorCodes: string[];
};

const ROWS: Row[] = [
  // One 500 first: the retry and the delivery both happen, and flush() hears the truth.
  {
    listener: "delivered",
    reply: (i) => (i === 0 ? { status: 500 } : ok),
    result: { delivered: 10, failed: 0, dropped: 0, pending: 0 },
    retries: 1,
    attempts: [2],
    errorCodes: ["invalid_message"],
  },
  // Two 503s: a throwing retry listener once made the batch give up after one attempt.
  {
    listener: "retry",
    reply: (i) => (i < 2 ? { status: 503 } : ok),
    result: { delivered: 10, failed: 0, dropped: 0, pending: 0 },
    retries: 2,
    attempts: [3],
    errorCodes: ["invalid_message"],
  },
  // A queue of 5 for 10 calls: 5 dropped, 5 delivered.
  {
    listener: "drop",
    reply: () => ok,
    maxQueue: 5,
    result: { delivered: 5, failed: 0, dropped: 5, pending: 0 },
    retries: 0,
    attempts: [1],
    errorCodes: ["invalid_message", "queue_overflow"],
  },
  // A 500 then a final 400: retried once, then all 10 failed.
  {
    listener: "error",
    reply: (i) => (i === 0 ? { status: 500 } : { status: 400 }),
    result: { delivered: 0, failed: 10, dropped: 0, pending: 0 },
    retries: 1,
    attempts: [],
    errorCodes: ["invalid_message", "delivery_failed"],
  },
  {
    listener: "callback",
    reply: (i) => (i === 0 ? { status: 500 } : ok),
    result: { delivered: 10, failed: 0, dropped: 0, pending: 0 },
    retries: 1,
    attempts: [2],
    errorCodes: ["invalid_message"],
  },
];

const TABLE = ROWS.flatMap((row) => (["throws", "rejects"] as const).map((style) => ({ ...row, style })));

describe("throwing listeners × outcomes (child process, --unhandled-rejections=strict)", () => {
  it.each(TABLE)(
    "a $listener listener that $style: retries happen, flush() resolves with the true counts, exit 0",
    async (row) => {
      collector = await startTestCollector((_request, index) => row.reply(index));
      const { code, report, stderr } = await runChild({
        HOST: collector.url,
        LISTENER: row.listener,
        STYLE: row.style,
        ...(row.maxQueue === undefined ? {} : { MAX_QUEUE: String(row.maxQueue) }),
      });
      expect(stderr).not.toMatch(/Unhandled|uncaught/i);
      expect(code).toBe(0);
      expect(report?.hung).toBeUndefined();
      expect(report!.result).toEqual(row.result);
      expect(report!.closed).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 0 });
      expect(report!.retry).toBe(row.retries);
      expect(report!.attempts).toEqual(row.attempts);
      expect(report!.errorCodes).toEqual(row.errorCodes);
      expect(report!.drop).toBe(row.result.dropped);
      // Every call's callback fired once: the bad one, the delivered/failed and the dropped.
      expect(report!.callbacks).toBe(11);
      // The collector got what the counts say (nothing lost, nothing sent twice on success).
      const accepted = new Set(collector.deliveredIds);
      expect(accepted.size).toBe(row.result.delivered);
      // Reported once, on stderr, naming the listener, however many times it threw.
      const where = row.listener === "callback" ? "a call's callback" : `a listener for "${row.listener}"`;
      const lines = stderr.split("\n").filter((line) => line.includes(`${where} threw`));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${row.listener} bug`);
      expect(lines[0]).toMatch(/^threadline: /);
    },
  );
});
