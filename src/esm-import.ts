/**
 * Loading ESM-only dependencies (node-fetch 3, p-retry 7) from the CJS build.
 *
 * tsup's CJS output rewrites `import()` into `require()`, and `require()` of an ES
 * module fails on Node before 20.19. An `import()` compiled by `Function` is out of
 * the rewriter's reach and works on every Node >= 20. The ESM build keeps its plain
 * `import()` so bundlers still see the dependency.
 */
declare const __THREADLINE_CJS__: boolean | undefined;

/** Set by tsup's `define` in the CJS build only; undefined when the source runs as ESM (tests). */
export const inCommonJs: boolean = typeof __THREADLINE_CJS__ !== "undefined" && __THREADLINE_CJS__;

export const importUnrewritten = new Function("specifier", "return import(specifier)") as <T>(specifier: string) => Promise<T>;
