import { request as httpRequest } from "node:http";
import { describe, expect, it } from "vitest";
import { startCollector } from "../../src/dev/index.js";
import { basic, collector, get, message, post, tempDir } from "./helpers.js";

async function expectNothingStored(url: string, headers: Record<string, string> = {}): Promise<void> {
  expect((await get(`${url}/dev/events`, headers)).body.events).toEqual([]);
  expect((await get(`${url}/dev/rejected`, headers)).body.rejected).toEqual([]);
}

describe("request bodies the collector refuses", () => {
  const bigBatch = { batch: [message("track", { userId: "u", properties: { pad: "x".repeat(520 * 1024) } })] };
  const cases: Array<[string, () => Parameters<typeof post>, number, string]> = [
    ["not JSON", () => ["", "{batch: nope", {}], 400, "invalid_json"],
    ["a JSON array", () => ["", JSON.stringify([message("track", { userId: "u" })]), {}], 400, "invalid_body"],
    ["batch not an array", () => ["", { batch: { type: "track" } }, {}], 400, "invalid_body"],
    ["no batch field", () => ["", { messages: [] }, {}], 400, "invalid_body"],
    ["over 500 KB", () => ["", bigBatch, {}], 413, "body_too_large"],
    ["over 500 KB once un-gzipped", () => ["", bigBatch, { gzip: true }], 413, "body_too_large"],
    ["not really gzip", () => ["", "plain text", { headers: { "Content-Encoding": "gzip" } }], 400, "invalid_gzip"],
    [
      "an unsupported encoding",
      () => ["", { batch: [] }, { headers: { "Content-Encoding": "br" } }],
      415,
      "unsupported_encoding",
    ],
  ];

  it.each(cases)("answers %s with a JSON error, stores nothing and stays up", async (_name, build, status, code) => {
    const { url } = await collector();
    const [, body, options] = build();
    const answer = await post(`${url}/v1/batch`, body, options);
    expect(answer.status).toBe(status);
    expect(answer.body.error.code).toBe(code);
    expect(typeof answer.body.error.message).toBe("string");
    await expectNothingStored(url);
    // Still serving, on a fresh request.
    expect((await post(`${url}/v1/batch`, { batch: [message("track", { userId: "u" })] })).body.accepted).toBe(1);
  });

  it("accepts a batch just under the cap, so the cap is 500 KB and not less", async () => {
    const { url } = await collector();
    // 16 messages of ~30 KB: about 490 KB in all, each under the 32 KB message limit.
    const batch = Array.from({ length: 16 }, () =>
      message("track", { userId: "u", properties: { pad: "x".repeat(30 * 1024) } }),
    );
    const size = Buffer.byteLength(JSON.stringify({ batch }));
    expect(size).toBeGreaterThan(480 * 1024);
    expect(size).toBeLessThan(500 * 1024);
    expect((await post(`${url}/v1/batch`, { batch })).body).toEqual({ accepted: 16, rejected: 0, duplicates: 0 });
  });

  it("cuts off a chunked body (no Content-Length) once it passes 500 KB", async () => {
    const { url } = await collector();
    const answer = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = httpRequest(
        `${url}/v1/batch`,
        { method: "POST", headers: { "Content-Type": "application/json" } },
        (res) => {
          let text = "";
          res.on("data", (chunk) => (text += chunk));
          res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        },
      );
      req.on("error", reject);
      req.write('{"batch":[');
      for (let i = 0; i < 20; i += 1)
        req.write(JSON.stringify(message("track", { userId: "u", properties: { pad: "x".repeat(30 * 1024) } })) + ",");
      req.end(JSON.stringify(message("track", { userId: "u" })) + "]}");
    });
    expect(answer.status).toBe(413);
    expect(answer.body.error.code).toBe("body_too_large");
    await expectNothingStored(url);
  });

  it("refuses a wrong method and an unknown path under /v1", async () => {
    const { url } = await collector();
    const wrongMethod = await get(`${url}/v1/batch`);
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.body.error.code).toBe("method_not_allowed");
    const unknown = await post(`${url}/v1/purchase`, message("track", { userId: "u" }));
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("not_found");
    await expectNothingStored(url);
  });
});

describe("write key", () => {
  it("answers 401 to a missing or wrong key, and stores a batch with the right one", async () => {
    const { url } = await collector({ writeKey: "wk_live" });
    const batch = { batch: [message("track", { userId: "u" })] };
    const wrong: Array<Record<string, string>> = [
      {},
      { Authorization: basic("wk_other") },
      { Authorization: "Bearer wk_live" },
    ];
    for (const headers of wrong) {
      const answer = await post(`${url}/v1/batch`, batch, { headers });
      expect(answer.status).toBe(401);
      expect(answer.body.error.code).toBe("unauthorized");
      expect(answer.headers.get("www-authenticate")).toMatch(/^Basic/);
    }
    await expectNothingStored(url, { Authorization: basic("wk_live") });
    const ok = await post(`${url}/v1/batch`, batch, { headers: { Authorization: basic("wk_live") } });
    expect(ok.body).toEqual({ accepted: 1, rejected: 0, duplicates: 0 });
    expect((await get(`${url}/dev/events`, { Authorization: basic("wk_live") })).body.events).toHaveLength(1);
  });
});

describe("ingest", () => {
  it("accepts a gzip batch and every single-call path", async () => {
    const { url } = await collector();
    const gz = await post(
      `${url}/v1/batch`,
      { batch: [message("track", { anonymousId: "a" }), message("page", { anonymousId: "a" })] },
      { gzip: true },
    );
    expect(gz.body).toEqual({ accepted: 2, rejected: 0, duplicates: 0 });
    const singles = {
      identify: message("identify", { userId: "u", anonymousId: "a" }),
      track: message("track", { userId: "u" }),
      page: message("page", { userId: "u", name: "Home" }),
      screen: message("screen", { userId: "u", name: "Home" }),
      group: message("group", { userId: "u", groupId: "g" }),
      alias: message("alias", { userId: "u", previousId: "a" }),
    };
    for (const [type, body] of Object.entries(singles)) {
      const answer = await post(`${url}/v1/${type}`, body, { gzip: type === "alias" });
      expect(answer.body, type).toEqual({ accepted: 1, rejected: 0, duplicates: 0 });
    }
    const types = (await get(`${url}/dev/events`)).body.events.map((event: { type: string }) => event.type);
    expect(types).toEqual(["track", "page", "identify", "track", "page", "screen", "group", "alias"]);
  });

  it("counts a retried batch once: the retry's messages are duplicates", async () => {
    const { url } = await collector();
    const batch = {
      batch: [
        message("track", { userId: "u" }),
        message("identify", { userId: "u" }),
        message("page", { anonymousId: "a" }),
      ],
    };
    expect((await post(`${url}/v1/batch`, batch)).body).toEqual({ accepted: 3, rejected: 0, duplicates: 0 });
    expect((await post(`${url}/v1/batch`, batch, { gzip: true })).body).toEqual({
      accepted: 0,
      rejected: 0,
      duplicates: 3,
    });
    // A retry that carries one new message alongside the old ones stores only the new one.
    const grown = { batch: [...batch.batch, message("track", { userId: "u", event: "New" })] };
    expect((await post(`${url}/v1/batch`, grown)).body).toEqual({ accepted: 1, rejected: 0, duplicates: 3 });
    // The same id twice within one batch is stored once too.
    const twin = message("track", { userId: "u" });
    expect((await post(`${url}/v1/batch`, { batch: [twin, twin] })).body).toEqual({
      accepted: 1,
      rejected: 0,
      duplicates: 1,
    });
    expect((await get(`${url}/dev/events`)).body.events).toHaveLength(5);
  });

  it("gives a message sent without messageId one of its own", async () => {
    const { url } = await collector();
    const { messageId: _drop, ...bare } = message("track", { userId: "u" });
    await post(`${url}/v1/batch`, { batch: [bare, bare] });
    const ids = (await get(`${url}/dev/events`)).body.events.map((event: { messageId: string }) => event.messageId);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it("prints one readable line per accepted event, none for duplicates or rejects, none when quiet", async () => {
    const lines: string[] = [];
    const dir = tempDir();
    const loud = await startCollector({ port: 0, dataFile: `${dir}/a.ndjson`, log: (line) => lines.push(line) });
    try {
      const batch = {
        batch: [
          message("track", { userId: "u1", anonymousId: "a1", event: "Signed Up" }),
          message("page", { anonymousId: "a1", name: "Pricing" }),
          message("track", {}),
        ],
      };
      await post(`${loud.url}/v1/batch`, batch);
      await post(`${loud.url}/v1/batch`, batch);
    } finally {
      await loud.close();
    }
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} {2}track {5}user=u1 anon=a1 {2}"Signed Up"$/);
    expect(lines[1]).toMatch(/page +anon=a1 {2}"Pricing"$/);

    const silent: string[] = [];
    const quiet = await startCollector({
      port: 0,
      dataFile: `${dir}/b.ndjson`,
      quiet: true,
      log: (line) => silent.push(line),
    });
    await post(`${quiet.url}/v1/batch`, { batch: [message("track", { userId: "u" })] });
    await quiet.close();
    expect(silent).toEqual([]);
  });

  it("refuses bad options up front", async () => {
    await expect(startCollector({ port: -1 })).rejects.toMatchObject({ code: "config" });
    await expect(startCollector({ port: 0, faults: { failRate: 2 } })).rejects.toMatchObject({ code: "config" });
    await expect(startCollector({ port: 0, faults: { status: 99 } })).rejects.toMatchObject({ code: "config" });
  });
});
