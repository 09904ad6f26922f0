import type { ResolvedOptions } from "./options.js";

/** What the write key is shown as wherever the options are shown. */
export const REDACTED = "[redacted]";

/**
 * The options as the client shows them (util.inspect, toJSON): everything but the write
 * key, which only says whether one is set.
 */
export function shownOptions(options: Readonly<ResolvedOptions>): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const key of Object.keys(options)) shown[key] = options[key as keyof ResolvedOptions];
  shown.writeKey = options.writeKey === undefined ? undefined : REDACTED;
  return shown;
}

/**
 * Keeps `writeKey` readable (`client.options.writeKey`) but out of every generic view of
 * the options object: not enumerable, so console.log, JSON.stringify and spreads skip it.
 */
export function hideWriteKey<T extends { writeKey?: string }>(options: T): T {
  Object.defineProperty(options, "writeKey", { enumerable: false });
  return options;
}

/** `text` with every occurrence of each secret replaced (a collector may echo the key back). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  for (const secret of secrets) if (secret !== "" && text.includes(secret)) text = text.split(secret).join(REDACTED);
  return text;
}
