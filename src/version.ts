/** Kept equal to package.json's version by test/core/package.test.ts. */
export const VERSION = "0.1.0";
export const LIBRARY = Object.freeze({ name: "threadline", version: VERSION });
