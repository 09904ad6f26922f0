/** `threadline/dev`: the local collector, for development, tests and the demo. */
export { startCollector } from "./server.js";
export { COLLECTOR_DEFAULTS } from "./options.js";
export type { Collector, CollectorOptions, FaultOptions } from "./options.js";
export type { StoredMessage } from "./validate.js";
export type { UserSummary, UserJourney, JourneyEvent } from "./stitch.js";
export type { FirstTouch } from "./campaign.js";
export type { RejectedMessage } from "./store.js";
export { exportEvents, EXPORT_DEFAULTS, type ExportOptions, type ExportResult } from "./export/index.js";
