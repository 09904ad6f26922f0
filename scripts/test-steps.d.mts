// Types of test-steps.mjs, for test/tooling/gates.test.ts.
export interface Step {
  id: string;
  title: string;
  tool?: string;
  args?: string[];
  system?: string;
  cleanDist?: boolean;
  report?: string;
}
export interface StepResult {
  ok: boolean;
  counts?: { passed: number; failed: number; skipped: number };
}
export declare const TOOLS: Record<string, string>;
export declare const NOT_UNIT_FOLDERS: string[];
export declare function notInProcessTests(root: string): string[];
export declare function fullRun(vitestArgs?: string[]): Step[];
export declare function unitRun(root: string, vitestArgs?: string[]): Step[];
export declare function tally(results: StepResult[]): {
  passed: number;
  failed: number;
  skipped: number;
  line: string;
  exitCode: 0 | 1;
};
