export { Analytics, type CloseOptions, type CloseAndFlushOptions } from "./analytics.js";
export { init, identify, track, page, screen, group, alias, flush, close, defaultClient } from "./default-client.js";
export { newAnonymousId } from "./ids.js";
export { ThreadlineError, isThreadlineError, ERROR_CODES, type ErrorCode } from "./errors.js";
export { DEFAULTS, type Options, type FetchLike, type FetchResponseLike } from "./options.js";
export { VERSION } from "./version.js";
export type * from "./types.js";
