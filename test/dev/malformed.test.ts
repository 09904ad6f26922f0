import { describe, expect, it } from "vitest";
import { collector, get, message, post } from "./helpers.js";
import { rawExchange, rawRequest } from "./raw.js";

async function expectHealthy(url: string): Promise<void> {
  expect((await get(`${url}/dev/rejected`)).status).toBe(200);
  expect((await get(`${url}/dev/events`)).status).toBe(200);
  expect((await post(`${url}/v1/batch`, { batch: [message("track", { userId: "u" })] })).body).toMatchObject({
    accepted: 1,
  });
}

describe("malformed request targets", () => {
  const targets: Array<[string, string, string]> = [
    ["an unclosed IPv6 authority (was a 500)", "http://[::1", "invalid_target"],
    ["absolute-form", "http://127.0.0.1/dev/events", "invalid_target"],
    ["a scheme-relative path (read as another host)", "//x/dev/events", "invalid_target"],
    ["a backslash path (WHATWG reads it as //)", "/\\attacker.test/dev/events", "invalid_target"],
    ["a bad escape in the path", "/dev/users/%zz", "invalid_target"],
    ["a bad escape in the query", "/dev/events?anonymousId=%zz", "invalid_target"],
    ["a truncated escape", "/dev/events?x=%4", "invalid_target"],
    ["an escape that is not UTF-8", "/dev/users/%ff%fe", "invalid_target"],
    ["asterisk-form", "*", "invalid_target"],
    ["a raw quote", '/dev/users/"x"', "invalid_target"],
    ["a raw space (node:http cannot parse it)", "/dev/ events", "bad_request"],
  ];

  it.each(targets)("answers %s with 400 JSON", async (_name, target, code) => {
    const { url, port } = await collector();
    const answer = await rawExchange(port, [rawRequest("GET", target)]);
    expect(answer.status).toBe(400);
    expect(answer.headers["content-type"]).toMatch(/^application\/json/);
    expect(answer.body.error.code).toBe(code);
    await expectHealthy(url);
  });

  it("still serves well-formed targets with escapes", async () => {
    const { url, port } = await collector();
    await post(`${url}/v1/batch`, { batch: [message("identify", { userId: "a b/ü", anonymousId: "a1" })] });
    const answer = await rawExchange(port, [rawRequest("GET", `/dev/users/${encodeURIComponent("a b/ü")}?x=%41`)]);
    expect(answer.status).toBe(200);
    expect(answer.body.userId).toBe("a b/ü");
  });
});

describe("bodies nested too deep", () => {
  const deep = (levels: number): string => "[".repeat(levels) + "]".repeat(levels);

  it("refuses a message nested 5,000 levels deep with 400, and /dev/rejected still answers (it was a 500, then 500s until reset)", async () => {
    const { url } = await collector();
    const body = `{"batch":[{"type":"track","event":"x","userId":"u","properties":{"a":${deep(5000)}}}]}`;
    const answer = await post(`${url}/v1/batch`, body);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe("too_deep");
    const rejected = await get(`${url}/dev/rejected`);
    expect(rejected.status).toBe(200);
    expect(rejected.body).toEqual({ rejected: [], omitted: 0 });
    await expectHealthy(url);
  });

  it("refuses deep objects too, gzip or not, and counts no brackets inside strings", async () => {
    const { url } = await collector();
    const objects = `{"batch":[${'{"a":'.repeat(200)}1${"}".repeat(200)}]}`;
    expect((await post(`${url}/v1/batch`, objects)).body.error.code).toBe("too_deep");
    expect((await post(`${url}/v1/batch`, objects, { gzip: true })).body.error.code).toBe("too_deep");
    const inString = message("track", { userId: "u", properties: { text: `"[{\\"${"[".repeat(5000)}` } });
    expect((await post(`${url}/v1/batch`, { batch: [inString] })).body).toMatchObject({ accepted: 1 });
    // 60 levels inside a message is fine (the client allows 64).
    let nested: unknown = 1;
    for (let i = 0; i < 60; i += 1) nested = { n: nested };
    expect(
      (await post(`${url}/v1/batch`, { batch: [message("track", { userId: "u", properties: { nested } })] })).body,
    ).toMatchObject({ accepted: 1 });
  });
});

describe("slow clients", () => {
  it("answers headers that never finish with 408 JSON and closes the socket", async () => {
    const { url, port } = await collector({ headersTimeoutMs: 200 });
    const answer = await rawExchange(port, ["GET /dev/events HTTP/1.1\r\nHost: 127.0.0.1\r\n", "X-Slow: 1\r\n"], 5000);
    expect(answer.status).toBe(408);
    expect(answer.body.error.code).toBe("request_timeout");
    await expectHealthy(url);
  });

  it("answers a body that stalls with 408 JSON, closes the socket and stores nothing", async () => {
    const { url, port } = await collector({ bodyTimeoutMs: 200 });
    const head = rawRequest("POST", "/v1/batch", {
      "Content-Type": "application/json",
      "Content-Length": "5000",
      Connection: "keep-alive",
    });
    const answer = await rawExchange(
      port,
      [head, '{"batch":[', 50, `${JSON.stringify(message("track", { userId: "u" }))},`],
      5000,
    );
    expect(answer.status).toBe(408);
    expect(answer.body.error.code).toBe("body_timeout");
    expect(answer.headers.connection).toBe("close");
    expect((await get(`${url}/dev/events`)).body.events).toEqual([]);
    await expectHealthy(url);
  });

  it("ends a request that trickles in past the whole-request deadline, though each byte beats the idle one", async () => {
    const { url, port } = await collector({ headersTimeoutMs: 100, requestTimeoutMs: 300, bodyTimeoutMs: 2000 });
    const head = rawRequest("POST", "/v1/batch", {
      "Content-Type": "application/json",
      "Content-Length": "400",
      Connection: "keep-alive",
    });
    const trickle: Array<string | number> = [head];
    for (let i = 0; i < 60; i += 1) trickle.push(" ", 50);
    const answer = await rawExchange(port, trickle, 5000);
    expect(answer.status).toBe(408);
    expect(answer.body.error.code).toBe("request_timeout");
    await expectHealthy(url);
  });

  it("refuses timeouts that contradict each other", async () => {
    const { startCollector } = await import("../../src/dev/index.js");
    await expect(startCollector({ port: 0, headersTimeoutMs: 5000, requestTimeoutMs: 1000 })).rejects.toMatchObject({
      code: "config",
    });
    await expect(startCollector({ port: 0, bodyTimeoutMs: 0 })).rejects.toMatchObject({ code: "config" });
  });
});

describe("the rejected ring", () => {
  it("keeps the newest maxRejected, counts the rest, and reset empties both", async () => {
    const { url } = await collector({ maxRejected: 3 });
    const bad = (n: number) => ({ type: "track", userId: "u", messageId: `bad-${n}` });
    await post(`${url}/v1/batch`, { batch: [bad(1), bad(2), bad(3), bad(4)] });
    await post(`${url}/v1/batch`, { batch: [bad(5), message("track", { userId: "u" }), bad(6)] });
    const answer = (await get(`${url}/dev/rejected`)).body;
    expect(answer.rejected.map((entry: { message: { messageId: string } }) => entry.message.messageId)).toEqual([
      "bad-4",
      "bad-5",
      "bad-6",
    ]);
    expect(answer.rejected[0].reason).toBe("track needs an event name");
    expect(answer.omitted).toBe(3);
    // A batch bigger than the ring: only its newest are kept.
    await post(`${url}/v1/batch`, { batch: [7, 8, 9, 10, 11].map(bad) });
    const after = (await get(`${url}/dev/rejected`)).body;
    expect(after.rejected.map((entry: { message: { messageId: string } }) => entry.message.messageId)).toEqual([
      "bad-9",
      "bad-10",
      "bad-11",
    ]);
    expect(after.omitted).toBe(8);
    // `limit` keeps the newest n; the rest are counted as omitted.
    const limited = (await get(`${url}/dev/rejected?limit=2`)).body;
    expect(limited.rejected.map((entry: { message: { messageId: string } }) => entry.message.messageId)).toEqual([
      "bad-10",
      "bad-11",
    ]);
    expect(limited.omitted).toBe(9);
    expect((await get(`${url}/dev/rejected?limit=0`)).body).toEqual({ rejected: [], omitted: 11 });
    expect((await get(`${url}/dev/rejected?limit=-1`)).status).toBe(400);
    await post(`${url}/dev/reset`, "");
    expect((await get(`${url}/dev/rejected`)).body).toEqual({ rejected: [], omitted: 0 });
  });

  it("keeps a huge rejected message as a preview, not whole", async () => {
    const { url } = await collector();
    const huge = message("track", { userId: "u", properties: { blob: "x".repeat(100 * 1024) } });
    expect((await post(`${url}/v1/batch`, { batch: [huge] })).body).toMatchObject({ rejected: 1 });
    const [entry] = (await get(`${url}/dev/rejected`)).body.rejected;
    expect(entry.reason).toMatch(/over the 32 KB limit/);
    expect(entry.message.truncated).toBe(true);
    expect(entry.message.bytes).toBeGreaterThan(100 * 1024);
    expect(entry.message.preview).toBe(JSON.stringify(huge).slice(0, 1024));
  });
});
