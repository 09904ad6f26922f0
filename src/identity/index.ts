// The framework-agnostic identity core, for the adapters (and any other framework).
export { IdentityCore } from "./identity-core.js";
export { isValidAnonymousId, generateAnonymousId, MAX_ID_LENGTH } from "./anonymous-id.js";
export { IDENTITY_DEFAULTS, MAX_COOKIE_AGE_SECONDS, resolveIdentityOptions } from "./options.js";
export type { ForeignSdk, IdentityOptions, IpMode, MirrorSdk, ResolvedIdentityOptions } from "./options.js";
export type { RequestAnalytics, RequestAliasMessage } from "./request-client.js";
export type { AnonymousIdCarrier, IdSource, RequestAdapter, Tracker } from "./types.js";
export type { RequestContext, PageContext } from "./request-context.js";
