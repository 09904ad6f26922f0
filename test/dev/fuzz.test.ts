import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { basic, collector, get, message, post } from "./helpers.js";
import { rawExchange, rawRequest, type RawAnswer } from "./raw.js";

/*
 * A seeded fuzz of what a hostile page, a broken proxy or a buggy SDK can send: request
 * targets, headers and bodies, each generated to be wrong at the request level. Every one
 * must get a 4xx JSON answer, nothing of them may be stored, and the collector must take a
 * good batch afterwards. THREADLINE_FUZZ_SEED replays a failing run.
 */
const SEED = Number(process.env.THREADLINE_FUZZ_SEED ?? 20261201);
const PER_CLASS = 120;
const KEY = "wk_fuzz";

function prng(seed: number): () => number {
  // mulberry32: small, fast and good enough to spread cases.
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const int = (max: number): number => Math.floor(random() * max);
const junk = (length: number, alphabet: string): string =>
  Array.from({ length }, () => alphabet[int(alphabet.length)]).join("");

const goodHeaders = (): Record<string, string> => ({ "Content-Type": "application/json", Authorization: basic(KEY) });
const goodBody = (): string => JSON.stringify({ batch: [message("track", { userId: "fuzz" })] });

// Each target holds at least one thing an origin-form path may not: a bad escape, a
// character outside RFC 3986's, a foreign form (absolute, authority, asterisk, "//").
const TARGET_PREFIXES = [
  "http://[::1",
  "http://127.0.0.1",
  "//",
  "/\\",
  "*",
  "/v1/batch",
  "/dev/events?x=",
  "/dev/users/",
  "/",
  "HTTP://x",
];
const TARGET_POISON = [
  "%",
  "%z",
  "%zz",
  "%4",
  "%ff",
  "%c3%28",
  '"',
  "<",
  ">",
  "{",
  "}",
  "|",
  "^",
  "`",
  "\\",
  "[",
  "]",
  "#",
  "ü",
];
function badTarget(): string {
  const prefix = pick(TARGET_PREFIXES);
  const filler = junk(int(12), "abc/?=&.-_~:@!$'()*+,;%0123456789");
  const poison = pick(TARGET_POISON);
  const tail = junk(int(6), "xyz/%");
  return prefix === "*" || prefix.startsWith("http") || prefix === "//" || prefix === "/\\"
    ? prefix + filler
    : `${prefix}${filler}${poison}${tail}`;
}

// One wrong header (or header set) on an otherwise good POST /v1/batch.
const HEADER_FAULTS: Array<(headers: Record<string, string | null>) => void> = [
  (h) => void (h.Host = pick(["attacker.test", "127.0.0.1.nip.test", "", "localhost.attacker.test", "[::2]", "a:b:c"])),
  (h) => void (h.Origin = pick(["http://evil.test", "null", "https://127.0.0.1", "http://localhost:1"])),
  (h) =>
    void (h["Content-Type"] = pick([
      "text/plain",
      "application/x-www-form-urlencoded",
      "multipart/form-data",
      "",
      "json",
      "application/jsonx",
    ])),
  (h) => void (h["Content-Encoding"] = pick(["br", "deflate", "gzip, gzip", "x-gzip2", "compress"])),
  (h) =>
    void (h.Authorization = pick([
      "",
      "Basic",
      "Basic =",
      `Bearer ${KEY}`,
      basic("nope"),
      `Basic ${junk(20, "abc!@#")}`,
    ])),
  (h) => void (h.Authorization = null),
  (h) => void (h["Content-Encoding"] = "gzip"), // but the body is not gzip
];
// Header sets node:http itself refuses (smuggling shapes, oversize): still JSON from us.
const RAW_HEADER_BLOCKS = [
  "Content-Length: 10\r\nContent-Length: 12\r\n",
  "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
  `X-Big: ${"x".repeat(20_000)}\r\n`,
  "Bad Header: 1\r\n",
  "X-Ctl: a\u0001b\r\n",
];

// Bodies wrong as a whole: cut short, not JSON, wrong shape, too deep, broken gzip.
const BODIES: Array<() => string | Buffer> = [
  () => goodBody().slice(0, 1 + int(goodBody().length - 1)),
  () => junk(1 + int(200), '{}[]":,0123456789abcdeftruenull \\'),
  () => pick(["null", "7", '"batch"', "[]", "true", '{"batch":{}}', '{"batch":"x"}', '{"batch":null}', "\ufeff{}", ""]),
  () => `{"batch":[${"[".repeat(101 + int(6000))}]}`,
  () => `{"batch":[${'{"a":'.repeat(101 + int(500))}1`,
  () => Buffer.concat([gzipSync(goodBody()).subarray(0, 12), Buffer.from(junk(20, "abc"))]),
  () => Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0x80, 0x81]),
];

interface Case {
  label: string;
  chunks: Array<string | Buffer>;
}

function targetCase(): Case {
  const target = badTarget();
  return {
    label: `target ${JSON.stringify(target)}`,
    chunks: [rawRequest(pick(["GET", "POST"]), target, goodHeaders(), goodBody())],
  };
}

function headerCase(): Case {
  const body = goodBody();
  if (random() < 0.25) {
    const block = pick(RAW_HEADER_BLOCKS);
    const head = `POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/json\r\n${block}\r\n`;
    return { label: `raw headers ${JSON.stringify(block.slice(0, 60))}`, chunks: [head + body] };
  }
  const headers: Record<string, string | null> = goodHeaders();
  const fault = pick(HEADER_FAULTS);
  fault(headers);
  return {
    label: `headers ${JSON.stringify(headers).slice(0, 160)}`,
    chunks: [rawRequest("POST", "/v1/batch", headers, body)],
  };
}

function bodyCase(): Case {
  const generator = pick(BODIES);
  const body = generator();
  // On a single-call path an object body is one message, refused per message with a 200:
  // wrong shapes go to /v1/batch, where they are wrong for the request as a whole.
  const path =
    generator === BODIES[1] || generator === BODIES[2] ? "/v1/batch" : pick(["/v1/batch", "/v1/track", "/v1/identify"]);
  const headers: Record<string, string> = { ...goodHeaders(), "Content-Length": String(Buffer.byteLength(body)) };
  if (Buffer.isBuffer(body) && body[0] === 0x1f) headers["Content-Encoding"] = "gzip";
  const head = rawRequest("POST", path, headers);
  return { label: `body ${JSON.stringify(body.toString().slice(0, 80))}`, chunks: [head, body] };
}

async function runAll(port: number, cases: Case[]): Promise<Array<[Case, RawAnswer]>> {
  const answers: Array<[Case, RawAnswer]> = [];
  // A few at a time: enough to overlap, few enough for a shared machine.
  for (let i = 0; i < cases.length; i += 8) {
    const group = cases.slice(i, i + 8);
    const results = await Promise.all(group.map((fuzzCase) => rawExchange(port, fuzzCase.chunks, 5000)));
    group.forEach((fuzzCase, index) => answers.push([fuzzCase, results[index]!]));
  }
  return answers;
}

describe(`a seeded fuzz of requests (seed ${SEED})`, () => {
  it("answers every bad target, header and body with 4xx JSON, stores none of them, and takes a good batch after", async () => {
    const { url, port } = await collector({ writeKey: KEY, bodyTimeoutMs: 300 });
    const cases = [
      ...Array.from({ length: PER_CLASS }, targetCase),
      ...Array.from({ length: PER_CLASS }, headerCase),
      ...Array.from({ length: PER_CLASS }, bodyCase),
    ];
    const answers = await runAll(port, cases);
    const wrong = answers.filter(
      ([, answer]) => !(answer.status >= 400 && answer.status < 500 && typeof answer.body?.error?.code === "string"),
    );
    expect(
      wrong.map(([fuzzCase, answer]) => `${fuzzCase.label} → ${answer.status} ${answer.text.slice(0, 120)}`),
      `seed ${SEED}`,
    ).toEqual([]);
    // Every class was really tried, and more than one kind of refusal came back.
    const codes = new Set(answers.map(([, answer]) => answer.body.error.code as string));
    for (const code of [
      "invalid_target",
      "host_not_allowed",
      "origin_not_allowed",
      "unsupported_media_type",
      "unauthorized",
      "invalid_json",
      "too_deep",
      "bad_request",
    ]) {
      expect(codes, code).toContain(code);
    }

    const auth = { Authorization: basic(KEY) };
    expect((await get(`${url}/dev/rejected`, auth)).status).toBe(200);
    expect((await get(`${url}/dev/events`, auth)).body.events).toEqual([]);
    const good = await post(`${url}/v1/batch`, { batch: [message("track", { userId: "after" })] }, { headers: auth });
    expect(good.body).toEqual({ accepted: 1, rejected: 0, duplicates: 0 });
    expect((await get(`${url}/dev/events`, auth)).body.events.map((event: { userId: string }) => event.userId)).toEqual(
      ["after"],
    );
  });
});
