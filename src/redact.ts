import { inspect } from "node:util";
import type { ResolvedOptions } from "./options.js";
import type { HttpAnswer, Transport } from "./transport.js";

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
 * the options object: not enumerable, so console.log, JSON.stringify and spreads skip it,
 * and a getter, so even `util.inspect(options, { showHidden: true })` shows `[Getter]`.
 */
export function hideWriteKey<T extends { writeKey?: string | undefined }>(options: T): T {
  const writeKey = options.writeKey;
  Object.defineProperty(options, "writeKey", { get: () => writeKey, enumerable: false });
  return options;
}

/** `text` with every occurrence of each secret replaced (a collector may echo the key back). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  for (const secret of secrets) if (secret !== "" && text.includes(secret)) text = text.split(secret).join(REDACTED);
  return text;
}

/**
 * Wraps a transport so nothing it reports carries the write key or its Basic value: a
 * collector may echo the Authorization header in an error body, and a user's fetch may
 * put it in an error message. Per request, not per call: the hot path never sees it.
 */
export class RedactingTransport implements Transport {
  private readonly secrets: readonly string[];

  constructor(
    private readonly inner: Transport,
    writeKey: string,
  ) {
    this.secrets = [writeKey, Buffer.from(writeKey + ":").toString("base64")];
  }

  async post(body: string, abandon: AbortSignal): Promise<HttpAnswer> {
    try {
      const answer = await this.inner.post(body, abandon);
      if (answer.body !== "") answer.body = redactSecrets(answer.body, this.secrets);
      return answer;
    } catch (error) {
      if (error instanceof Error) error.message = redactSecrets(error.message, this.secrets);
      throw error;
    }
  }

  destroy(): void {
    this.inner.destroy();
  }

  /** Never the inner transport: its headers hold the Authorization value. */
  [inspect.custom](): string {
    return "Transport { Authorization: [redacted] }";
  }
}
