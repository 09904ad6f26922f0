/** `exportEvents()` and its types, re-exported by `threadline/dev`. */
export { exportEvents } from "./export.js";
export { EXPORT_DEFAULTS } from "./options.js";
export type { ExportOptions, ExportResult } from "./options.js";
