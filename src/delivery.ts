import { ThreadlineError } from "./errors.js";
import { importUnrewritten, inCommonJs } from "./esm-import.js";
import type { ResolvedOptions } from "./options.js";
import { backoffDelay, isRetryableStatus, parseRetryAfter } from "./retry.js";
import type { Transport } from "./transport.js";
import type { RetryEvent } from "./types.js";

type PRetry = typeof import("p-retry");
let pRetryPromise: Promise<PRetry> | undefined;

/** p-retry 7 is ESM-only: see esm-import.ts. */
function loadPRetry(): Promise<PRetry> {
  return (pRetryPromise ??= inCommonJs ? importUnrewritten<PRetry>("p-retry") : import("p-retry"));
}

/** A failed attempt that may be retried, with what the collector said. */
class AttemptError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

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
 * Delivers one batch body: the first attempt plus up to `maxRetries` retries. p-retry
 * drives the attempts and aborts; the delay before each retry is ours (Retry-After or
 * backoff) so the `retry` event can say exactly how long it waits.
 * Never rejects: the outcome is in the result.
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
  let attempts = 0;
  let lastStatus = 0;
  const prefix = '{"batch":[' + batchJson + '],"sentAt":"';
  try {
    const { default: pRetry, AbortError } = await loadPRetry();
    const status = await pRetry(
      async () => {
        attempts++;
        if (abandon.aborted) throw new AbortError(abandonedError(messageIds, lastStatus));
        let answer;
        try {
          answer = await transport.post(prefix + new Date().toISOString() + '"}', abandon);
        } catch (error) {
          if (abandon.aborted) throw new AbortError(abandonedError(messageIds, lastStatus));
          throw new AttemptError((error as Error).message, undefined, undefined, { cause: error });
        }
        lastStatus = answer.status;
        if (answer.status >= 200 && answer.status < 300) return answer.status;
        // Redacted before the cut: a collector may echo the key, and half a key is still a leak.
        const detail = `${policy.url} answered ${answer.status}${answer.body ? `: ${transport.redact(answer.body).slice(0, 200)}` : ""}`;
        if (!isRetryableStatus(answer.status)) {
          throw new AbortError(new ThreadlineError("delivery_failed", `${detail} (not retried)`, { status: answer.status, messageIds }));
        }
        throw new AttemptError(detail, answer.status, parseRetryAfter(answer.retryAfter));
      },
      {
        retries: policy.maxRetries,
        // Delays come from onFailedAttempt below; p-retry only counts and stops.
        minTimeout: 0,
        maxTimeout: 0,
        factor: 1,
        randomize: false,
        unref: true,
        signal: abandon,
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (retriesLeft <= 0 || abandon.aborted || !(error instanceof AttemptError)) return;
          const delayMs = error.retryAfterMs ?? backoffDelay(attemptNumber, policy.minRetryDelay, policy.maxRetryDelay);
          const reported = new ThreadlineError("delivery_failed", error.message, { cause: error.cause ?? error, status: error.status, messageIds });
          hooks.onRetry({ attempt: attemptNumber, delayMs, status: error.status, error: reported, count });
          await sleep(delayMs, abandon);
        },
      },
    );
    return { ok: true, status, attempts };
  } catch (error) {
    if (abandon.aborted && !(error instanceof ThreadlineError)) {
      return { ok: false, status: lastStatus, attempts, error: abandonedError(messageIds, lastStatus) };
    }
    if (error instanceof ThreadlineError) return { ok: false, status: lastStatus, attempts, error };
    const attempt = error as AttemptError;
    const message = `Gave up after ${attempts} attempt${attempts === 1 ? "" : "s"}: ${attempt.message ?? String(error)}`;
    return {
      ok: false,
      status: lastStatus,
      attempts,
      error: new ThreadlineError("delivery_failed", message, { cause: attempt.cause ?? attempt, status: attempt.status, messageIds }),
    };
  }
}

function abandonedError(messageIds: string[], status: number): ThreadlineError {
  return new ThreadlineError("delivery_failed", "Abandoned at the close() deadline before the collector confirmed delivery", {
    status: status || undefined,
    messageIds,
  });
}
