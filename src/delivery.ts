import { ThreadlineError } from "./errors.js";
import type { ResolvedOptions } from "./options.js";
import { backoffDelay, isRetryableStatus, parseRetryAfter } from "./retry.js";
import type { Transport } from "./transport.js";
import type { RetryEvent } from "./types.js";

export interface DeliveryResult {
  ok: boolean;
  status: number;
  attempts: number;
  error?: ThreadlineError;
}

export interface DeliveryHooks {
  onRetry(event: RetryEvent): void;
}

type RetryPolicy = Pick<ResolvedOptions, "maxRetries" | "minRetryDelay" | "maxRetryDelay" | "url">;

/** A failed attempt worth retrying, with what the collector said. */
interface Failure {
  message: string;
  status?: number;
  retryAfterMs?: number;
  cause?: unknown;
}

/** Resolves after `ms`, or early when `signal` aborts; never holds the process open. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted || ms <= 0) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Delivers one batch body: the first attempt plus up to `maxRetries` retries, each
 * after the collector's `Retry-After` or else the backoff of retry.ts. The loop is
 * ours rather than p-retry's: p-retry computes each delay from its options alone, so it
 * can neither wait what a `Retry-After` asks for one attempt nor tell the `retry` event
 * how long it is about to wait. Never rejects: the outcome is in the result.
 */
export async function deliverBatch(
  transport: Transport,
  batchJson: string,
  count: number,
  messageIds: string[],
  policy: RetryPolicy,
  abandon: AbortSignal,
  hooks: DeliveryHooks,
): Promise<DeliveryResult> {
  let lastStatus = 0;
  const prefix = '{"batch":[' + batchJson + '],"sentAt":"';
  for (let attempt = 1; ; attempt++) {
    if (abandon.aborted) return abandonedResult(messageIds, lastStatus, attempt - 1);
    let failure: Failure;
    try {
      // sentAt is per attempt: a collector corrects clock skew with it.
      const answer = await transport.post(prefix + new Date().toISOString() + '"}', abandon);
      lastStatus = answer.status;
      if (answer.status >= 200 && answer.status < 300) return { ok: true, status: answer.status, attempts: attempt };
      const detail = `${policy.url} answered ${answer.status}${answer.body ? `: ${answer.body.slice(0, 200)}` : ""}`;
      if (!isRetryableStatus(answer.status)) {
        const error = new ThreadlineError("delivery_failed", `${detail} (not retried)`, {
          status: answer.status,
          messageIds,
        });
        return { ok: false, status: answer.status, attempts: attempt, error };
      }
      failure = { message: detail, status: answer.status, retryAfterMs: parseRetryAfter(answer.retryAfter) };
    } catch (error) {
      if (abandon.aborted) return abandonedResult(messageIds, lastStatus, attempt);
      failure = { message: (error as Error)?.message ?? String(error), cause: error };
    }
    if (attempt > policy.maxRetries) {
      const message = `Gave up after ${attempt} attempt${attempt === 1 ? "" : "s"}: ${failure.message}`;
      const error = new ThreadlineError("delivery_failed", message, {
        cause: failure.cause,
        status: failure.status,
        messageIds,
      });
      return { ok: false, status: lastStatus, attempts: attempt, error };
    }
    const delayMs = failure.retryAfterMs ?? backoffDelay(attempt, policy.minRetryDelay, policy.maxRetryDelay);
    // Its own code: a listener must not read a failure that will be retried as final.
    const error = new ThreadlineError(
      "delivery_retry",
      `${failure.message} (retry ${attempt} of ${policy.maxRetries} in ${delayMs} ms)`,
      {
        cause: failure.cause,
        status: failure.status,
        messageIds,
      },
    );
    hooks.onRetry({ attempt, delayMs, status: failure.status, error, count });
    await sleep(delayMs, abandon);
  }
}

function abandonedResult(messageIds: string[], status: number, attempts: number): DeliveryResult {
  const error = new ThreadlineError(
    "delivery_failed",
    "Abandoned at the shutdown deadline before the collector confirmed delivery",
    {
      status: status || undefined,
      messageIds,
    },
  );
  return { ok: false, status, attempts, error };
}
