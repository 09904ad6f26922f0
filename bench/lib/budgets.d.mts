// Types of budgets.mjs, for test/tooling/bench-budgets.test.ts.
export interface Budget {
  id: string;
  what: string;
  sdk?: [row: string, base: string, key: string];
  max?: number;
  mw?: string;
  min?: number;
  track?: "returning" | "first";
  toleranceUs?: number;
}
export interface BudgetCheck {
  budget: Budget;
  status: "met" | "missed" | "unsure" | "not measured";
  value?: number;
  text: string;
  by?: string;
}
export declare const SPOOL_ROW: string;
export declare const BUDGETS: Budget[];
export declare function budgetText(budget: Budget): string;
export declare function checkBudgets(all: unknown): BudgetCheck[];
export declare function budgetReport(checks: BudgetCheck[]): { lines: string[]; exitCode: 0 | 1 };
