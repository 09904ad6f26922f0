import { describe, expect, it } from "vitest";
import { Analytics, DEFAULTS, ThreadlineError } from "../../src/index.js";
import { resolveOptions } from "../../src/options.js";

describe("options", () => {
  it("fills the documented defaults", () => {
    const resolved = resolveOptions({ host: "https://collector.example", writeKey: "k" }, {});
    expect(resolved).toMatchObject({
      url: "https://collector.example/v1/batch",
      flushAt: 20,
      maxBatchSize: 100,
      flushInterval: 10_000,
      maxBatchBytes: 480 * 1024,
      maxMessageBytes: 32 * 1024,
      maxQueueSize: 10_000,
      maxRetries: 10,
      timeoutMs: 10_000,
      gzip: false,
      disable: false,
    });
    expect(DEFAULTS.flushAt).toBe(20);
  });

  it("reads THREADLINE_HOST and THREADLINE_WRITE_KEY", () => {
    const resolved = resolveOptions({}, { THREADLINE_HOST: "https://c.example/", THREADLINE_WRITE_KEY: "env-key" });
    expect(resolved.url).toBe("https://c.example/v1/batch");
    expect(resolved.writeKey).toBe("env-key");
    expect(resolved.usingDevCollector).toBe(false);
  });

  it("falls back to the local dev collector outside production", () => {
    const resolved = resolveOptions({}, { NODE_ENV: "development" });
    expect(resolved.url).toBe("http://127.0.0.1:4440/v1/batch");
    expect(resolved.usingDevCollector).toBe(true);
  });

  const BAD: Array<[string, Record<string, unknown>, Record<string, string>, string]> = [
    ["no host in production", {}, { NODE_ENV: "production" }, "THREADLINE_HOST"],
    ["a remote host without writeKey", { host: "https://c.example" }, {}, "writeKey"],
    ["a host that is not a URL", { host: "collector", writeKey: "k" }, {}, "http(s) URL"],
    ["an ftp host", { host: "ftp://c.example", writeKey: "k" }, {}, "http: or https:"],
    ["flushAt 0", { flushAt: 0 }, {}, "flushAt"],
    ["flushAt as a string", { flushAt: "20" }, {}, "flushAt"],
    ["negative maxRetries", { maxRetries: -1 }, {}, "maxRetries"],
    ["Infinity timeoutMs", { timeoutMs: Number.POSITIVE_INFINITY }, {}, "timeoutMs"],
    ["gzip as a string", { gzip: "yes" }, {}, "gzip"],
    ["an unknown option (typo)", { flushAfter: 5 }, {}, "Unknown option `flushAfter`"],
    ["an empty writeKey", { writeKey: "" }, {}, "writeKey"],
    ["a path without a slash", { path: "v1/batch" }, {}, "path"],
    ["maxMessageBytes above maxBatchBytes", { maxMessageBytes: 600_000 }, {}, "maxMessageBytes"],
  ];
  it.each(BAD)("%s throws config at construction", (_name, options, env, mentions) => {
    let thrown: unknown;
    try {
      resolveOptions(options as never, env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ThreadlineError);
    expect((thrown as ThreadlineError).code).toBe("config");
    expect((thrown as ThreadlineError).message).toContain(mentions);
  });

  it("new Analytics() throws the config error itself", () => {
    expect(() => new Analytics({ host: "https://c.example" })).toThrow(/writeKey/);
  });

  it("disable: true validates and answers callbacks but sends nothing", async () => {
    const analytics = new Analytics({ disable: true, host: "https://c.example" });
    const results: Array<string | undefined> = [];
    analytics.track({ event: "E", userId: "u" }, (err) => results.push(err?.code));
    analytics.track({ userId: "u" } as never, (err) => results.push(err?.code));
    analytics.on("error", () => {});
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(results).toEqual([undefined, "invalid_message"]);
    expect(await analytics.flush()).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 0 });
    expect(analytics.pending).toBe(0);
  });
});
