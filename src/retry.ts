/** Pure retry policy: which answers are worth retrying and how long to wait. */

/** Longest wait a collector's `Retry-After` can impose on one attempt. */
export const MAX_RETRY_AFTER_MS = 60_000;

/** 408, 429 and 5xx are transient; 501 (not implemented) and 505 (bad HTTP version) never heal. */
export function isRetryableStatus(status: number): boolean {
  if (status === 408 || status === 429) return true;
  return status >= 500 && status <= 599 && status !== 501 && status !== 505;
}

/**
 * `Retry-After` as milliseconds, from delta-seconds or an HTTP date; undefined when
 * absent or unreadable. Capped at {@link MAX_RETRY_AFTER_MS}.
 */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | undefined {
  if (header == null) return undefined;
  const value = header.trim();
  if (value === "") return undefined;
  let ms: number;
  if (/^\d+(\.\d+)?$/.test(value)) {
    ms = Number(value) * 1000;
  } else {
    // An HTTP date starts with a day name; anything else ("-1", "soon") is unreadable.
    if (!/^[A-Za-z]{3},/.test(value)) return undefined;
    const at = Date.parse(value);
    if (!Number.isFinite(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, Math.round(ms)), MAX_RETRY_AFTER_MS);
}

/**
 * Exponential backoff with jitter for retry `attempt` (1 = first retry): the step
 * (`minDelay` doubling per retry) plus up to half of it at random, capped at
 * `maxDelay`. Clients that failed together do not retry together, and no retry comes
 * sooner than `minDelay`.
 */
export function backoffDelay(
  attempt: number,
  minDelay: number,
  maxDelay: number,
  random: () => number = Math.random,
): number {
  const step = minDelay * 2 ** Math.max(0, attempt - 1);
  return Math.round(Math.min(maxDelay, step + random() * (step / 2)));
}
