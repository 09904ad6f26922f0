// The transports against a real loopback collector: the built-in node:http(s) one and
// the `fetch` option, with node-fetch and with the global fetch, on the same collector.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import nodeFetch from "node-fetch";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Analytics, type FetchLike, type Options, type RetryEvent, type ThreadlineError } from "../../src/index.js";
import { runNode, type NodeRun } from "../helpers/run-node.js";
import { selfSignedCert, startLoopback, type Loopback } from "./loopback.js";

let loopback: Loopback | undefined;
const clients: Analytics[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close({ timeoutMs: 1000 })));
  await loopback?.close();
  loopback = undefined;
});

function client(options: Options): Analytics {
  const analytics = new Analytics({ writeKey: "k", flushAt: 1, ...options });
  clients.push(analytics);
  return analytics;
}

// node-fetch's and the global fetch's own types; threadline's FetchLike must accept both as they are.
const transports: Array<[string, FetchLike | undefined]> = [
  ["node:http (default)", undefined],
  ["fetch option: node-fetch", nodeFetch],
  ["fetch option: global fetch", globalThis.fetch],
];

describe.each(transports)("%s", (_name, fetch) => {
  it("sends each batch as one request with a Content-Length, auth and the JSON body", async () => {
    loopback = await startLoopback();
    const analytics = client({ host: loopback.url, writeKey: "wk", fetch, flushAt: 3 });
    for (let i = 0; i < 3; i++) analytics.track({ event: "E", userId: `u${i}` });
    expect(await analytics.flush()).toEqual({ delivered: 3, failed: 0, dropped: 0, pending: 0 });
    expect(loopback.requests).toHaveLength(1);
    const { headers, batch } = loopback.requests[0];
    expect(headers.authorization).toBe("Basic " + Buffer.from("wk:").toString("base64"));
    expect(headers["content-type"]).toBe("application/json");
    // One buffered body, not a chunked stream.
    expect(headers["transfer-encoding"]).toBeUndefined();
    expect(Number(headers["content-length"])).toBeGreaterThan(0);
    expect(batch.map((m) => m.userId)).toEqual(["u0", "u1", "u2"]);
  });

  it("gzips the body when asked", async () => {
    loopback = await startLoopback();
    const analytics = client({ host: loopback.url, fetch, gzip: true });
    analytics.track({ event: "Zipped", userId: "u" });
    expect((await analytics.flush()).delivered).toBe(1);
    expect(loopback.requests[0].headers["content-encoding"]).toBe("gzip");
    expect(loopback.requests[0].batch[0].event).toBe("Zipped");
  });

  it("times out a request that gets no answer, reports a retry, and delivers on the next attempt", async () => {
    loopback = await startLoopback({ answer: (_request, index) => (index === 0 ? "hang" : { status: 200 }) });
    const analytics = client({ host: loopback.url, fetch, timeoutMs: 200, minRetryDelay: 10 });
    const retries: RetryEvent[] = [];
    analytics.on("retry", (event) => retries.push(event));
    analytics.track({ event: "E", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(retries).toHaveLength(1);
    expect(retries[0].error.code).toBe("delivery_retry");
    expect(retries[0].error.message).toMatch(/No answer from .* within 200 ms/);
    expect(loopback.deliveredIds).toHaveLength(1);
  });

  it("retries a connection reset with the same messageIds", async () => {
    loopback = await startLoopback({ answer: (_request, index) => (index < 2 ? "reset" : { status: 200 }) });
    const analytics = client({ host: loopback.url, fetch, minRetryDelay: 10 });
    const retries: RetryEvent[] = [];
    analytics.on("retry", (event) => retries.push(event));
    analytics.track({ event: "E", userId: "u", messageId: "m-1" });
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(retries.map((r) => r.error.code)).toEqual(["delivery_retry", "delivery_retry"]);
    expect(retries[0].error.message).toMatch(/ECONNRESET|socket hang up|other side closed|UND_ERR_SOCKET/i);
    expect(loopback.requests.map((r) => r.batch[0].messageId)).toEqual(["m-1", "m-1", "m-1"]);
  });

  it("reports a refused connection as delivery_failed once the retries are spent", async () => {
    loopback = await startLoopback();
    const port = loopback.port;
    await loopback.close();
    loopback = undefined;
    const analytics = client({ host: `http://127.0.0.1:${port}`, fetch, maxRetries: 1, minRetryDelay: 10 });
    const errors: ThreadlineError[] = [];
    analytics.on("error", (error) => errors.push(error));
    analytics.track({ event: "E", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 0, failed: 1, dropped: 0, pending: 0 });
    expect(errors.map((e) => e.code)).toEqual(["delivery_failed"]);
    expect(errors[0].message).toMatch(/Gave up after 2 attempts: Cannot reach .*ECONNREFUSED/);
  });
});

describe("the fetch option", () => {
  it("must be a function: anything else throws config at construction", () => {
    expect(() => new Analytics({ host: "http://127.0.0.1:1", fetch: "node-fetch" as unknown as FetchLike })).toThrow(
      expect.objectContaining({ code: "config", message: expect.stringMatching(/`fetch` must be a fetch function/) }),
    );
  });

  it("hands the user's fetch the URL, POST, the headers and a Buffer body, and reads status, Retry-After and text", async () => {
    const calls: Array<{ url: string; method: string; headers: Record<string, string>; body: unknown }> = [];
    const fetch: FetchLike = async (url, init) => {
      calls.push({ url, method: init.method, headers: init.headers, body: init.body });
      const status = calls.length === 1 ? 429 : 200;
      return {
        status,
        headers: { get: (name) => (name === "retry-after" && status === 429 ? "0" : null) },
        text: async () => "{}",
      };
    };
    const analytics = client({ host: "http://collector.invalid", writeKey: "wk", fetch });
    const retries: RetryEvent[] = [];
    analytics.on("retry", (event) => retries.push(event));
    analytics.track({ event: "Via Fetch", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(retries.map((r) => [r.status, r.delayMs])).toEqual([[429, 0]]);
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      url: "http://collector.invalid/v1/batch",
      method: "POST",
      headers: { Authorization: "Basic " + Buffer.from("wk:").toString("base64") },
    });
    expect(Buffer.isBuffer(calls[0].body)).toBe(true);
    expect(JSON.parse(String(calls[0].body)).batch[0].event).toBe("Via Fetch");
  });
});

// With the fetch option the connection pool is the fetch's own: node-fetch uses Node's
// keep-alive global agent; undici (the global fetch) manages its own sockets.
describe.each(transports.slice(0, 2))("%s keep-alive", (_name, fetch) => {
  it("reuses one connection for batch after batch", async () => {
    loopback = await startLoopback();
    const analytics = client({ host: loopback.url, fetch, concurrency: 1 });
    for (let i = 0; i < 5; i++) {
      analytics.track({ event: "E", userId: "u" });
      await analytics.flush();
    }
    expect(loopback.requests).toHaveLength(5);
    expect(loopback.connections).toBe(1);
    expect(new Set(loopback.requests.map((r) => r.connection))).toEqual(new Set([1]));
  });
});

describe("node:http (default) on a stale keep-alive socket", () => {
  it("sends the batch again at once on a fresh socket, without a retry or a backoff", async () => {
    // The second request arrives on the kept-alive socket, which the collector then drops
    // without answering: what a server's idle timeout or a thawed serverless process meets.
    loopback = await startLoopback({ answer: (_request, index) => (index === 1 ? "reset" : { status: 200 }) });
    const analytics = client({ host: loopback.url, concurrency: 1 });
    const retries: RetryEvent[] = [];
    analytics.on("retry", (event) => retries.push(event));
    analytics.track({ event: "First", userId: "u" });
    await analytics.flush();
    analytics.track({ event: "Second", userId: "u", messageId: "m-2" });
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(retries).toEqual([]);
    expect(loopback.requests.map((r) => [r.connection, r.batch[0].event])).toEqual([
      [1, "First"],
      [1, "Second"],
      [2, "Second"],
    ]);
  });

  it("sends again only once: a second failure goes to the retry policy", async () => {
    loopback = await startLoopback({
      answer: (_request, index) => (index === 1 || index === 2 ? "reset" : { status: 200 }),
    });
    const analytics = client({ host: loopback.url, concurrency: 1, minRetryDelay: 10 });
    const retries: RetryEvent[] = [];
    analytics.on("retry", (event) => retries.push(event));
    analytics.track({ event: "First", userId: "u" });
    await analytics.flush();
    analytics.track({ event: "Second", userId: "u" });
    expect(await analytics.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(retries).toHaveLength(1);
    expect(loopback.requests).toHaveLength(4);
  });
});

describe("TLS to a loopback HTTPS collector (the built package, as a user's process runs it)", () => {
  const DIST = resolve(__dirname, "../../dist/index.js");
  let tls: Awaited<ReturnType<typeof selfSignedCert>>;

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error("dist/ is missing: run `npm run build` first (npm test does)");
    tls = await selfSignedCert();
    return () => tls.cleanup();
  });

  /** Three flushes one after another from a child process; prints their results and the errors heard. */
  function runChild(url: string, env: Record<string, string>): Promise<NodeRun> {
    const script = `import { Analytics } from ${JSON.stringify(DIST)};
      const analytics = new Analytics({ host: ${JSON.stringify(url)}, writeKey: "k", flushAt: 1, maxRetries: 0, concurrency: 1 });
      const errors = [];
      analytics.on("error", (error) => errors.push(error.message));
      const results = [];
      for (let i = 0; i < 3; i++) { analytics.track({ event: "Secure", userId: "u" + i }); results.push(await analytics.flush()); }
      await analytics.close();
      console.log(JSON.stringify({ results, errors }));`;
    return runNode(["--input-type=module", "-e", script], env);
  }

  it("delivers over https on one reused TLS connection when the certificate is trusted", async () => {
    loopback = await startLoopback({ tls });
    const { code, stdout: out, stderr: err } = await runChild(loopback.url, { NODE_EXTRA_CA_CERTS: tls.certFile });
    expect({ code, err }).toEqual({ code: 0, err: "" });
    const { results, errors } = JSON.parse(out);
    expect(errors).toEqual([]);
    expect(results.map((r: { delivered: number }) => r.delivered)).toEqual([1, 1, 1]);
    expect(loopback.requests.map((r) => r.batch[0].userId)).toEqual(["u0", "u1", "u2"]);
    expect(loopback.connections).toBe(1);
  });

  it("refuses a certificate it cannot verify (no silent downgrade)", async () => {
    loopback = await startLoopback({ tls });
    const { code, stdout: out } = await runChild(loopback.url, { NODE_EXTRA_CA_CERTS: "" });
    expect(code).toBe(0);
    const { results, errors } = JSON.parse(out);
    expect(results[0]).toEqual({ delivered: 0, failed: 1, dropped: 0, pending: 0 });
    expect(errors[0]).toMatch(/SELF_SIGNED|self.signed|unable to verify/i);
    expect(loopback.requests).toHaveLength(0);
  });
});
