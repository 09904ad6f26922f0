import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach } from "vitest";
import { startCollector } from "../../src/dev/index.js";
import type { Collector, CollectorOptions } from "../../src/dev/index.js";

/** A fresh folder under the OS temp dir, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "threadline-dev-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  // Collectors first (they hold the files), then the folders.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A quiet collector on a free port with its own data file; closed after the test. */
export async function collector(options: CollectorOptions = {}): Promise<Collector & { dataFile: string }> {
  const dataFile = options.dataFile ?? join(tempDir(), "events.ndjson");
  const started = await startCollector({ port: 0, quiet: true, ...options, dataFile });
  cleanups.push(() => started.close());
  return { ...started, dataFile };
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5000) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body };
}

/** POSTs `body` (an object is JSON-encoded; a string or Buffer goes as is), optionally gzipped. */
export function post(
  url: string,
  body: unknown,
  options: { gzip?: boolean; headers?: Record<string, string> } = {},
): Promise<Answer> {
  let payload: Buffer = Buffer.isBuffer(body)
    ? body
    : Buffer.from(typeof body === "string" ? body : JSON.stringify(body));
  const headers: Record<string, string> = { "Content-Type": "application/json", ...options.headers };
  if (options.gzip) {
    payload = gzipSync(payload);
    headers["Content-Encoding"] = "gzip";
  }
  return request(url, { method: "POST", body: payload, headers });
}

export const get = (url: string, headers: Record<string, string> = {}): Promise<Answer> => request(url, { headers });

let counter = 0;
/** A valid message of `type` with a unique messageId; `fields` override. */
export function message(type: string, fields: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  return {
    type,
    messageId: `msg-${process.pid}-${counter}`,
    timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, counter)).toISOString(),
    context: { library: { name: "threadline", version: "0.1.0" } },
    integrations: {},
    ...(type === "track" ? { event: "Clicked", properties: {} } : {}),
    ...fields,
  };
}

export const basic = (key: string): string => `Basic ${Buffer.from(`${key}:`).toString("base64")}`;
