import { describe, expect, it } from "vitest";
import { DEFAULTS, resolveOptions } from "../../src/options.js";
import { isThreadlineError } from "../../src/index.js";

const base = { host: "http://127.0.0.1:4440" };

describe("the spool option", () => {
  it("is off by default; a string is the directory; maxBytes defaults to 256 MiB", () => {
    expect(resolveOptions(base).spool).toBeUndefined();
    expect(resolveOptions({ ...base, spool: "/var/spool/app" }).spool).toEqual({
      dir: "/var/spool/app",
      maxBytes: 256 * 1024 * 1024,
    });
    expect(resolveOptions({ ...base, spool: { dir: "/tmp/s", maxBytes: 1e6 } }).spool).toEqual({
      dir: "/tmp/s",
      maxBytes: 1e6,
    });
    expect(DEFAULTS.spool.maxBytes).toBe(268435456);
  });

  it.each([
    ["an empty directory", "", "Option `spool` must be a directory path"],
    ["no dir", { maxBytes: 1e6 }, "Option `spool` must be a directory path"],
    ["a number", 5, "Option `spool` must be a directory path"],
    ["null", null, "Option `spool` must be a directory path"],
    [
      "maxBytes too small",
      { dir: "/tmp/s", maxBytes: 1000 },
      "Option `spool.maxBytes` must be a finite number >= 65536",
    ],
    ["maxBytes not a number", { dir: "/tmp/s", maxBytes: "1GB" }, "Option `spool.maxBytes` must be a finite number"],
  ])("%s is a config error at construction", (_what, spool, message) => {
    let thrown: unknown;
    try {
      resolveOptions({ ...base, spool: spool as never });
    } catch (error) {
      thrown = error;
    }
    expect(isThreadlineError(thrown) && thrown.code).toBe("config");
    expect((thrown as Error).message).toContain(message);
  });
});
