// `npm run bench -- --check`: the comparison of one run's figures with DESIGN.md's
// budgets, over fabricated results objects (this tests the arithmetic and the verdicts,
// not any timing).
import { describe, expect, test } from "vitest";
import { BUDGETS, budgetReport, checkBudgets, SPOOL_ROW } from "../../bench/lib/budgets.mjs";

type Figures = { wallMs: number; cpuMs: number; maxRssKiB: number; enqueueNsPerCall: number };

const row = (f: Figures) => ({ okRuns: 5, runs: 5, ...f, raw: [{ ok: true, ...f }] });
const FLOOR: Figures = { wallMs: 1000, cpuMs: 800, maxRssKiB: 100_000, enqueueNsPerCall: 2000 };
const mwCell = (rps: number, cpuUsPerRequest: number) => ({ rps, cpuUsPerRequest });

/** A results object shaped like run.mjs's: threadline at `ratio` × the floor on every figure. */
function results(ratio: number, extra: { middleware?: unknown; sdk?: Record<string, unknown> } = {}) {
  const threadline: Figures = {
    wallMs: FLOOR.wallMs * ratio,
    cpuMs: FLOOR.cpuMs * ratio,
    maxRssKiB: FLOOR.maxRssKiB * ratio,
    enqueueNsPerCall: FLOOR.enqueueNsPerCall * ratio,
  };
  return {
    sdk: { floor: row(FLOOR), threadline: row(threadline), ...extra.sdk },
    middleware: extra.middleware ?? { skipped: "not run" },
  };
}

const status = (all: unknown) => Object.fromEntries(checkBudgets(all).map((c) => [c.budget.id, c.status]));

describe("SDK budgets (threadline ÷ floor, same run)", () => {
  test("at the floor every SDK budget is met and the check passes", () => {
    const all = results(1.0);
    expect(status(all)).toMatchObject({ wall: "met", cpu: "met", rss: "met", enqueue: "met" });
    expect(budgetReport(checkBudgets(all)).exitCode).toBe(0);
  });

  test("a ratio exactly at the budget is met; just above it is missed", () => {
    expect(status(results(1.1)).wall).toBe("met");
    expect(status(results(1.11)).wall).toBe("missed");
  });

  test("a miss says which budget and by how much", () => {
    const all = results(1.0);
    all.sdk.threadline = row({ ...FLOOR, wallMs: 1650 });
    const { lines, exitCode } = budgetReport(checkBudgets(all));
    expect(exitCode).toBe(1);
    const wall = lines.find((l) => l.includes("wall time, threadline ÷ floor"));
    expect(wall).toMatch(/^ {2}MISSED /);
    expect(wall).toContain("1.65×");
    expect(wall).toContain("over by 50% (1.65× > 1.10×)");
    expect(lines.at(-1)).toBe("✖ 1 budget(s) missed: wall");
  });

  test("each figure is judged against its own budget (CPU ≤ 1.2×, RSS ≤ 1.1×, enqueue ≤ 1.2×)", () => {
    const all = results(1.15);
    expect(status(all)).toMatchObject({ wall: "missed", cpu: "met", rss: "missed", enqueue: "met" });
  });

  test("the spool budget compares the spool row with the same run's threadline", () => {
    expect(status(results(1.0)).spool).toBe("not measured");
    const spool = (wallMs: number) => results(1.0, { sdk: { [SPOOL_ROW]: row({ ...FLOOR, wallMs }) } });
    expect(status(spool(1300)).spool).toBe("met");
    expect(status(spool(1400)).spool).toBe("missed");
    // bench/spool.mjs files its own on ÷ off ratio under `spool.figures`.
    const scenario = (ratio: number) => ({
      ...results(1.0),
      spool: { runs: 5, figures: { wallMs: { off: 1000, on: 1000 * ratio, ratio } } },
    });
    expect(status(scenario(1.21)).spool).toBe("met");
    expect(status(scenario(1.45)).spool).toBe("missed");
  });

  test("a row with no successful run is not measured, and a check that measured nothing fails", () => {
    const all = { sdk: {}, middleware: { skipped: "not run" } };
    expect(new Set(Object.values(status(all)))).toEqual(new Set(["not measured"]));
    const { lines, exitCode } = budgetReport(checkBudgets(all));
    expect(exitCode).toBe(1);
    expect(lines.at(-1)).toMatch(/nothing was measured/);
  });
});

describe("middleware budgets (share of the bare route)", () => {
  /** `share` of the bare route by req/s and `cpuShare` by the app's CPU per request. */
  const middleware = (share: number, cpuShare = share, trackUs = { viaRequest: 30, viaClient: 30 }) => ({
    results: {
      "bare/returning": mwCell(10_000, 100),
      "mw/returning": mwCell(10_000 * share, 100 / cpuShare),
      "bare/first": mwCell(10_000, 100),
      "mw/first": mwCell(10_000 * share, 100 / cpuShare),
      "track/returning": mwCell(9000, 100 + trackUs.viaClient),
      "mwtrack/returning": mwCell(9000, 100 / cpuShare + trackUs.viaRequest),
      "track/first": mwCell(9000, 100 + trackUs.viaClient),
      "mwtrack/first": mwCell(9000, 100 / cpuShare + trackUs.viaRequest),
    },
  });

  test("≥ 95% for a returning visitor and ≥ 90% for a first visit", () => {
    expect(status(results(1.0, { middleware: middleware(0.96) }))).toMatchObject({
      "mw-returning": "met",
      "mw-first": "met",
    });
    expect(status(results(1.0, { middleware: middleware(0.92) }))).toMatchObject({
      "mw-returning": "missed",
      "mw-first": "met",
    });
  });

  test("when req/s and CPU capacity disagree the verdict is unsure, which does not fail the check", () => {
    const all = results(1.0, { middleware: middleware(0.97, 0.93) });
    expect(status(all)["mw-returning"]).toBe("unsure");
    expect(budgetReport(checkBudgets(all)).exitCode).toBe(0);
  });

  test("a miss gives the shortfall in points", () => {
    const checks = checkBudgets(results(1.0, { middleware: middleware(0.9) }));
    const returning = checks.find((c) => c.budget.id === "mw-returning");
    expect(returning?.by).toBe("short by 5.0 points (90.0% < 95%)");
  });

  test("a request's track may cost at most a bare client's track plus 3 µs", () => {
    const within = middleware(1, 1, { viaRequest: 33, viaClient: 30 });
    expect(status(results(1.0, { middleware: within }))["track-returning"]).toBe("met");
    const over = middleware(1, 1, { viaRequest: 38, viaClient: 30 });
    const check = checkBudgets(results(1.0, { middleware: over })).find((c) => c.budget.id === "track-returning");
    expect(check?.status).toBe("missed");
    expect(check?.by).toMatch(/over by 5\.0 µs/);
  });
});

test("the budgets are DESIGN.md's table", () => {
  const table = Object.fromEntries(BUDGETS.map((b) => [b.id, b.max ?? b.min ?? b.toleranceUs]));
  expect(table).toEqual({
    wall: 1.1,
    cpu: 1.2,
    rss: 1.1,
    enqueue: 1.2,
    spool: 1.3,
    "mw-returning": 0.95,
    "mw-first": 0.9,
    "track-returning": 3,
    "track-first": 3,
  });
});
