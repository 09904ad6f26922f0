// The real local collector (threadline/dev) on 127.0.0.1, a free port, with the default
// client pointed at it: what `/dev/users/:id` shows is what a developer would see.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { close as closeDefault, flush, init } from "../../../src/default-client.js";
import { startCollector, type Collector } from "../../../src/dev/index.js";
import type { UserJourney } from "../../../src/dev/stitch.js";
import type { StoredMessage } from "../../../src/dev/validate.js";

export interface DevCollector {
  url: string;
  /** Flush the default client, then the events the collector stored. */
  events(): Promise<StoredMessage[]>;
  /** Flush the default client, then `/dev/users/:userId`. */
  journey(userId: string): Promise<UserJourney>;
  close(): Promise<void>;
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Start the collector and `init()` the default client to send there. */
export async function startDevCollector(): Promise<DevCollector> {
  const dir = mkdtempSync(join(tmpdir(), "threadline-scope-"));
  const collector: Collector = await startCollector({ port: 0, dataFile: join(dir, "events.ndjson"), quiet: true });
  init({ host: collector.url, flushInterval: 20 });
  return {
    url: collector.url,
    async events() {
      await flush();
      return (await getJson<{ events: StoredMessage[] }>(`${collector.url}/dev/events`)).events;
    },
    async journey(userId) {
      await flush();
      return getJson<UserJourney>(`${collector.url}/dev/users/${encodeURIComponent(userId)}`);
    },
    async close() {
      await closeDefault({ timeoutMs: 2000 });
      await collector.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
