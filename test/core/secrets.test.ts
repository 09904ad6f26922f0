import http from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterEach, describe, expect, it } from "vitest";
import { Analytics, ThreadlineError, type Options } from "../../src/index.js";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";

// No error, event, log line or view of the client ever carries the write key, its Basic
// value or credentials from a URL, on any path: 500s, refusals, timeouts, 401s, config errors.
const KEY = "wk_live_Zq8sEcReT4711";
const BASIC = Buffer.from(`${KEY}:`).toString("base64");
const URL_USER = "urlUserQx9";
const URL_PASS = "urlPassWd7742";
const SECRETS = [KEY, BASIC, URL_USER, URL_PASS];

function leaks(text: string): string[] {
  return SECRETS.filter((secret) => text.includes(secret));
}

/** Everything an app could see of a value, as deep as it goes. */
function views(value: unknown): string {
  let json = "";
  try {
    json = JSON.stringify(value) ?? "";
  } catch {
    // A cyclic error cause; inspect below shows it all anyway.
  }
  return [inspect(value, { depth: Number.POSITIVE_INFINITY, showHidden: true }), json, String(value)].join("\n");
}

let collector: TestCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
});

async function captureStderr<T>(run: () => Promise<T>): Promise<{ value: T; stderr: string }> {
  const lines: string[] = [];
  const write = process.stderr.write;
  process.stderr.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    return { value: await run(), stderr: lines.join("") };
  } finally {
    process.stderr.write = write;
  }
}

/** Runs a few calls against `host` and gathers every event payload, callback error and stderr line. */
async function everythingSeen(options: Options, listen: boolean): Promise<string> {
  const { value, stderr } = await captureStderr(async () => {
    const analytics = new Analytics({
      writeKey: KEY,
      flushAt: 2,
      minRetryDelay: 5,
      maxRetryDelay: 10,
      maxRetries: 1,
      timeoutMs: 200,
      ...options,
    });
    const seen: unknown[] = [];
    if (listen)
      for (const event of ["error", "retry", "delivered", "drop"] as const)
        analytics.on(event, (payload) => seen.push(payload));
    for (let i = 0; i < 3; i++) analytics.track({ userId: "u", event: `E${i}` }, (err) => seen.push(err));
    analytics.track({ userId: "u" } as never, (err) => seen.push(err));
    seen.push(await analytics.flush());
    seen.push(await analytics.close({ timeoutMs: 500 }));
    return seen.map(views).join("\n");
  });
  return `${value}\n${stderr}`;
}

/** A collector that answers `status` and echoes the request's Authorization header and key back in the body. */
async function echoingCollector(status: number): Promise<TestCollector> {
  return startTestCollector((request) => {
    const authorization = String(request.headers.authorization);
    return { status, body: JSON.stringify({ error: `bad key ${KEY}`, authorization, basic: authorization.slice(6) }) };
  });
}

describe("secrets", () => {
  it("util.inspect, console.log's view, JSON.stringify and String() of the client show the host and options, the key redacted", () => {
    const analytics = new Analytics({ host: "https://collector.example", writeKey: KEY, disable: true });
    const shown = [
      inspect(analytics),
      inspect(analytics, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      JSON.stringify(analytics),
      String(analytics),
      `${analytics}`,
      inspect(analytics.options, { depth: Number.POSITIVE_INFINITY }),
      inspect(analytics.options, { depth: Number.POSITIVE_INFINITY, showHidden: true }),
      JSON.stringify(analytics.options),
      JSON.stringify({ ...analytics.options }),
    ].join("\n");
    expect(leaks(shown)).toEqual([]);
    expect(inspect(analytics)).toContain("https://collector.example");
    expect(inspect(analytics)).toContain("[redacted]");
    expect(JSON.parse(JSON.stringify(analytics))).toMatchObject({
      host: "https://collector.example",
      options: { writeKey: "[redacted]", flushAt: 20 },
    });
    // Still readable on purpose, by the code that asks for it by name.
    expect(analytics.options.writeKey).toBe(KEY);
  });

  it("a live client's inspect does not reach the Authorization header of its transport", async () => {
    collector = await startTestCollector();
    const analytics = new Analytics({ host: collector.url, writeKey: KEY, flushAt: 1 });
    analytics.track({ userId: "u", event: "E" });
    await analytics.flush();
    expect(collector.requests[0].headers.authorization).toBe(`Basic ${BASIC}`);
    expect(leaks(inspect(analytics, { depth: Number.POSITIVE_INFINITY, showHidden: true }))).toEqual([]);
    await analytics.close();
  });

  it.each([500, 401, 403, 400])(
    "a %i answer that echoes the key and the Authorization header: no error, event or stderr line carries them",
    async (status) => {
      collector = await echoingCollector(status);
      const withListeners = await everythingSeen({ host: collector.url }, true);
      expect(withListeners).toContain(`answered ${status}`);
      expect(withListeners).toContain("[redacted]");
      expect(leaks(withListeners)).toEqual([]);
      const onStderr = await everythingSeen({ host: collector.url }, false);
      expect(onStderr).toContain("threadline: delivery_failed");
      expect(leaks(onStderr)).toEqual([]);
    },
  );

  it("the same through the `fetch` option (the global fetch): a 401 echoing the key leaves no trace of it", async () => {
    collector = await echoingCollector(401);
    const seen = await everythingSeen({ host: collector.url, fetch: globalThis.fetch }, true);
    expect(seen).toContain("answered 401");
    expect(leaks(seen)).toEqual([]);
    expect(leaks(await everythingSeen({ host: "http://127.0.0.1:9", fetch: globalThis.fetch }, true))).toEqual([]);
  });

  it("a refused connection and a timeout: no error, event or stderr line carries the key", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const refused = await everythingSeen({ host: `http://127.0.0.1:${port}` }, true);
    expect(refused).toContain("ECONNREFUSED");
    expect(leaks(refused)).toEqual([]);
    expect(leaks(await everythingSeen({ host: `http://127.0.0.1:${port}` }, false))).toEqual([]);

    collector = await startTestCollector(() => "hang");
    const timedOut = await everythingSeen({ host: collector.url }, true);
    expect(timedOut).toContain("within 200 ms");
    expect(leaks(timedOut)).toEqual([]);
  });

  const CONFIG_CASES: Array<{ name: string; options: Options; env?: NodeJS.ProcessEnv; mentions: string }> = [
    {
      name: "a host with user and password",
      options: { host: `https://${URL_USER}:${URL_PASS}@collector.example`, writeKey: KEY },
      mentions: "must not carry credentials",
    },
    {
      name: "a host with a user only",
      options: { host: `https://${URL_USER}@collector.example`, writeKey: KEY },
      mentions: "must not carry credentials",
    },
    {
      name: "THREADLINE_HOST with credentials",
      options: { writeKey: KEY },
      env: { THREADLINE_HOST: `http://${URL_USER}:${URL_PASS}@127.0.0.1:4440` },
      mentions: "must not carry credentials",
    },
    {
      name: "an unparseable host with credentials",
      options: { host: `http://${URL_USER}:${URL_PASS}@[::1`, writeKey: KEY },
      mentions: "credentials (not shown)",
    },
    {
      name: "a scheme-less host with credentials",
      options: { host: `${URL_USER}:${URL_PASS}@collector.example`, writeKey: KEY },
      mentions: "credentials (not shown)",
    },
    {
      name: "a write key of the wrong type",
      options: { host: "https://collector.example", writeKey: 4711_0815 as unknown as string },
      mentions: "got number",
    },
    {
      name: "an unknown option beside the key",
      options: { host: "https://collector.example", writeKey: KEY, write_key: KEY } as Options,
      mentions: "Unknown option",
    },
  ];

  it.each(CONFIG_CASES)(
    "config error for $name: thrown at construction, echoing no secret",
    ({ options, env, mentions }) => {
      const saved = { ...process.env };
      Object.assign(process.env, env);
      let thrown: unknown;
      try {
        new Analytics(options);
      } catch (error) {
        thrown = error;
      } finally {
        for (const key of Object.keys(env ?? {})) if (saved[key] === undefined) delete process.env[key];
      }
      expect(thrown).toBeInstanceOf(ThreadlineError);
      expect((thrown as ThreadlineError).code).toBe("config");
      expect((thrown as ThreadlineError).message).toContain(mentions);
      expect(leaks(views(thrown))).toEqual([]);
      expect(views(thrown)).not.toContain("47110815");
    },
  );

  it("the host with credentials names the origin it refused, so the app can find it", () => {
    expect(
      () => new Analytics({ host: `https://${URL_USER}:${URL_PASS}@collector.example/v1`, writeKey: KEY }),
    ).toThrow(
      /must not carry credentials \(the URL for https:\/\/collector\.example has a user name or password, not shown\)/,
    );
  });
});
