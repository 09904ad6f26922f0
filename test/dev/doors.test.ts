import { describe, expect, it } from "vitest";
import { startCollector } from "../../src/dev/index.js";
import { basic, collector, get, message, post, request } from "./helpers.js";
import { rawExchange, rawRequest } from "./raw.js";

// Each door a web page (or a rebound DNS name) could use to reach the collector, closed.

const KEY = "wk_doors";
const auth = { Authorization: basic(KEY) };
const json = { "Content-Type": "application/json" };

async function storedCount(url: string, headers: Record<string, string> = {}): Promise<number> {
  const answer = await get(`${url}/dev/events`, headers);
  expect(answer.status).toBe(200);
  return answer.body.events.length;
}

describe("with a write key, /dev/* needs it too", () => {
  const reads = [
    "/dev/events",
    "/dev/rejected",
    "/dev/users",
    "/dev/users/u1",
    "/dev/sessions",
    "/dev/sessions?userId=u1",
  ];
  const wrong: Array<[string, Record<string, string>]> = [
    ["no Authorization", {}],
    ["another key", { Authorization: basic("wk_other") }],
    ["the key as a Bearer token", { Authorization: `Bearer ${KEY}` }],
    ["malformed Basic", { Authorization: "Basic !!!" }],
  ];

  it.each(wrong)(
    "refuses every read and the reset with %s: 401 JSON, no browser login dialog",
    async (_name, headers) => {
      const { url } = await collector({ writeKey: KEY });
      await post(
        `${url}/v1/batch`,
        { batch: [message("identify", { userId: "u1", anonymousId: "a1" })] },
        { headers: auth },
      );
      for (const path of reads) {
        const answer = await get(`${url}${path}`, headers);
        expect(answer.status, path).toBe(401);
        expect(answer.body.error.code, path).toBe("unauthorized");
        // No challenge: a browser would pop its own dialog for fetch() instead of letting the page ask.
        expect(answer.headers.get("www-authenticate"), path).toBeNull();
      }
      const reset = await request(`${url}/dev/reset`, { method: "POST", headers });
      expect(reset.status).toBe(401);
      expect(await storedCount(url, auth)).toBe(1);
    },
  );

  it("answers every read and the reset with the key, and serves the page (which holds no data) without it", async () => {
    const { url } = await collector({ writeKey: KEY });
    await post(
      `${url}/v1/batch`,
      { batch: [message("identify", { userId: "u1", anonymousId: "a1" })] },
      { headers: auth },
    );
    for (const path of reads) expect((await get(`${url}${path}`, auth)).status, path).toBe(200);
    for (const path of ["/", "/assets/page.js", "/assets/page.css"])
      expect((await get(`${url}${path}`)).status, path).toBe(200);
    expect((await request(`${url}/dev/reset`, { method: "POST", headers: auth })).status).toBe(200);
    expect(await storedCount(url, auth)).toBe(0);
  });

  it("without a write key, /dev/* stays open", async () => {
    const { url } = await collector();
    expect((await get(`${url}/dev/events`)).status).toBe(200);
  });
});

describe("CORS only for the origins given", () => {
  it("by default sends no Access-Control-Allow-Origin at all, and refuses every cross-origin request", async () => {
    const { url } = await collector();
    await post(`${url}/v1/batch`, { batch: [message("track", { userId: "u" })] });
    const evil = { Origin: "http://evil.test" };
    const attempts: Array<[string, () => ReturnType<typeof request>]> = [
      [
        "preflight",
        () =>
          request(`${url}/v1/batch`, {
            method: "OPTIONS",
            headers: { ...evil, "Access-Control-Request-Method": "POST" },
          }),
      ],
      ["post", () => post(`${url}/v1/batch`, { batch: [message("track", { userId: "u" })] }, { headers: evil })],
      ["read", () => get(`${url}/dev/events`, evil)],
      // A "simple" request needs no preflight: refusing it is what keeps a page from wiping the data.
      ["reset", () => request(`${url}/dev/reset`, { method: "POST", headers: evil })],
      ["opaque origin", () => request(`${url}/dev/reset`, { method: "POST", headers: { Origin: "null" } })],
    ];
    for (const [name, attempt] of attempts) {
      const answer = await attempt();
      expect(answer.status, name).toBe(403);
      expect(answer.body.error.code, name).toBe("origin_not_allowed");
      expect(answer.headers.get("access-control-allow-origin"), name).toBeNull();
    }
    expect(await storedCount(url)).toBe(1);
    // No Origin (curl, a server-side client): no CORS headers either.
    const plain = await post(`${url}/v1/batch`, { batch: [message("track", { userId: "u" })] });
    expect(plain.status).toBe(200);
    expect(plain.headers.get("access-control-allow-origin")).toBeNull();
    // The collector's own page is same-origin: its reset goes through.
    const own = await request(`${url}/dev/reset`, { method: "POST", headers: { Origin: url } });
    expect(own.status).toBe(200);
    expect(await storedCount(url)).toBe(0);
  });

  it("answers preflights and requests from an allowed origin, echoing it, and still refuses the others", async () => {
    const { url } = await collector({ allowOrigins: ["http://localhost:3000"] });
    const origin = { Origin: "http://localhost:3000" };
    const preflight = await request(`${url}/v1/batch`, {
      method: "OPTIONS",
      headers: { ...origin, "Access-Control-Request-Method": "POST" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    expect(preflight.headers.get("access-control-allow-headers")).toMatch(/Authorization/);
    expect(preflight.headers.get("vary")).toBe("Origin");
    const sent = await post(`${url}/v1/batch`, { batch: [message("track", { userId: "u" })] }, { headers: origin });
    expect(sent.body).toEqual({ accepted: 1, rejected: 0, duplicates: 0 });
    expect(sent.headers.get("access-control-allow-origin")).toBe("http://localhost:3000");
    const other = await get(`${url}/dev/events`, { Origin: "http://localhost:3001" });
    expect(other.status).toBe(403);
  });

  it("refuses an allowOrigins entry that is not an origin", async () => {
    for (const bad of ["localhost:3000", "http://localhost:3000/app", "ftp://x.test", "*", 7]) {
      await expect(startCollector({ port: 0, allowOrigins: [bad as string] })).rejects.toMatchObject({
        code: "config",
      });
    }
  });
});

describe("Host must be a loopback name or a configured one (DNS rebinding)", () => {
  const cases: Array<[string, string | null, number]> = [
    ["127.0.0.1 with a port", "127.0.0.1:4440", 200],
    ["localhost", "localhost", 200],
    ["LOCALHOST with another port", "LOCALHOST:8080", 200],
    ["[::1]", "[::1]:4440", 200],
    ["a rebound name", "attacker.test", 403],
    ["a rebound name with the port", "attacker.test:4440", 403],
    ["a look-alike", "127.0.0.1.attacker.test", 403],
    ["localhost as a subdomain", "localhost.attacker.test", 403],
    ["another loopback address", "127.0.0.2", 403],
    ["an empty Host", "", 403],
    ["garbage", "a b", 403],
  ];

  it.each(cases)("%s: %s → %i", async (_name, host, status) => {
    const { port } = await collector();
    const answer = await rawExchange(port, [rawRequest("GET", "/dev/events", { Host: host })]);
    expect(answer.status).toBe(status);
    if (status === 403) expect(answer.body.error.code).toBe("host_not_allowed");
    else expect(answer.body.events).toEqual([]);
  });

  it("refuses an HTTP/1.0 request with no Host, and the page too, not only the API", async () => {
    const { port } = await collector();
    const bare = await rawExchange(port, [
      rawRequest("GET", "/dev/events", { Host: null, Connection: null }, "", "1.0"),
    ]);
    expect(bare.status).toBe(403);
    const page = await rawExchange(port, [rawRequest("GET", "/", { Host: "attacker.test" })]);
    expect(page.status).toBe(403);
    expect(page.body.error.code).toBe("host_not_allowed");
  });

  it("accepts a host name given in allowHosts, on any port", async () => {
    const { port } = await collector({ allowHosts: ["collector.internal"] });
    expect(
      (await rawExchange(port, [rawRequest("GET", "/dev/events", { Host: "collector.internal:4440" })])).status,
    ).toBe(200);
    expect((await rawExchange(port, [rawRequest("GET", "/dev/events", { Host: "other.internal" })])).status).toBe(403);
  });
});

describe("/v1/* takes JSON only", () => {
  const refused: Array<[string, Record<string, string>]> = [
    ["no Content-Type", {}],
    ["text/plain (what a cross-site form or beacon can send without a preflight)", { "Content-Type": "text/plain" }],
    ["a form", { "Content-Type": "application/x-www-form-urlencoded" }],
    ["multipart", { "Content-Type": "multipart/form-data; boundary=x" }],
    ["a look-alike", { "Content-Type": "application/jsonp" }],
    ["gzip as the media type", { "Content-Type": "application/gzip" }],
  ];

  it.each(refused)("answers %s with 415 and stores nothing", async (_name, headers) => {
    const { url } = await collector();
    const body = JSON.stringify({ batch: [message("track", { userId: "u" })] });
    const answer = await request(`${url}/v1/batch`, { method: "POST", body, headers });
    expect(answer.status).toBe(415);
    expect(answer.body.error.code).toBe("unsupported_media_type");
    expect(await storedCount(url)).toBe(0);
  });

  it("accepts application/json with parameters or in another case, plain and gzip", async () => {
    const { url } = await collector();
    for (const type of ["application/json", "application/json; charset=utf-8", "Application/JSON"]) {
      const answer = await post(
        `${url}/v1/batch`,
        { batch: [message("track", { userId: "u" })] },
        { headers: { "Content-Type": type } },
      );
      expect(answer.body, type).toMatchObject({ accepted: 1 });
    }
    expect(
      (await post(`${url}/v1/track`, message("track", { userId: "u" }), { gzip: true, headers: json })).body,
    ).toMatchObject({ accepted: 1 });
    expect(await storedCount(url)).toBe(4);
  });
});
