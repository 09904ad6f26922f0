import { describe, expect, it } from "vitest";
import { ERROR_CODES, ThreadlineError, isThreadlineError, newAnonymousId, VERSION } from "../../src/index.js";
import packageJson from "../../package.json" with { type: "json" };

describe("errors and ids", () => {
  it("ThreadlineError carries code, cause, status and messageIds", () => {
    const cause = new Error("socket hang up");
    const error = new ThreadlineError("delivery_failed", "failed", { cause, status: 503, messageIds: ["a"] });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      name: "ThreadlineError",
      code: "delivery_failed",
      status: 503,
      messageIds: ["a"],
      cause,
    });
    expect(isThreadlineError(error)).toBe(true);
    expect(isThreadlineError(new Error("x"))).toBe(false);
    expect(ERROR_CODES).toEqual([
      "invalid_message",
      "message_too_large",
      "queue_overflow",
      "delivery_failed",
      "delivery_retry",
      "closed",
      "config",
      "before_send",
      "spool_unavailable",
      "spool_corrupt",
      "export_bad_url",
      "export_unreachable",
      "export_bad_line",
      "export_failed",
    ]);
  });

  it("newAnonymousId() returns distinct UUID v4s", () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newAnonymousId()));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("VERSION matches package.json", () => {
    expect(VERSION).toBe(packageJson.version);
  });
});
