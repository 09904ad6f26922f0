import { afterEach, describe, expect, it, vi } from "vitest";
import { startTestCollector, type TestCollector } from "../helpers/collector.js";

let collector: TestCollector | undefined;
afterEach(async () => {
  await collector?.close();
  collector = undefined;
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe("module-level functions", () => {
  it("init() configures the default client that identify/track/page/screen/group/alias/flush/close use", async () => {
    collector = await startTestCollector();
    const threadline = await import("../../src/index.js");
    threadline.init({ host: collector.url, flushAt: 100 });
    threadline.identify({ userId: "u1", traits: { plan: "pro" } });
    threadline.track({ userId: "u1", event: "E" });
    threadline.page({ userId: "u1", name: "Home" });
    threadline.screen({ userId: "u1", name: "Main" });
    threadline.group({ userId: "u1", groupId: "g" });
    threadline.alias({ userId: "u1", previousId: "anon" });
    expect(await threadline.flush()).toEqual({ delivered: 6, failed: 0, dropped: 0, pending: 0 });
    expect(collector.requests[0].body.batch.map((m) => m.type)).toEqual([
      "identify",
      "track",
      "page",
      "screen",
      "group",
      "alias",
    ]);
    expect(await threadline.close()).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 0 });
  });

  it("creates the default client from THREADLINE_HOST / THREADLINE_WRITE_KEY on first use", async () => {
    collector = await startTestCollector();
    vi.stubEnv("THREADLINE_HOST", collector.url);
    vi.stubEnv("THREADLINE_WRITE_KEY", "env-key");
    const threadline = await import("../../src/index.js");
    threadline.track({ userId: "u1", event: "From Env" });
    expect(await threadline.flush()).toEqual({ delivered: 1, failed: 0, dropped: 0, pending: 0 });
    expect(collector.requests[0].headers.authorization).toBe("Basic " + Buffer.from("env-key:").toString("base64"));
    await threadline.close();
  });

  it("reports a configuration problem to the callback instead of throwing into the caller", async () => {
    vi.stubEnv("NODE_ENV", "production");
    vi.stubEnv("THREADLINE_HOST", "");
    const threadline = await import("../../src/index.js");
    const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    let code: string | undefined;
    expect(() => threadline.track({ userId: "u", event: "E" }, (err) => (code = err?.code))).not.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 10));
    stderr.mockRestore();
    expect(code).toBe("config");
    expect(await threadline.flush()).toEqual({ delivered: 0, failed: 0, dropped: 0, pending: 0 });
  });
});
