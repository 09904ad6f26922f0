import { describe, expect, test } from "vitest";
import { capConsent, effectiveConsent, hasGpc, type ConsentLevel, type GpcMode } from "../../src/identity/consent.js";

describe("Global Privacy Control", () => {
  test.each([
    ["1", true],
    [" 1 ", true],
    ["0", false],
    ["", false],
    ["true", false],
  ])("Sec-GPC: %j → %s", (value, expected) => {
    expect(hasGpc({ "sec-gpc": value })).toBe(expected);
  });

  test("no header is no GPC", () => {
    expect(hasGpc({})).toBe(false);
  });

  const levels: ConsentLevel[] = ["full", "anonymous", "none"];
  const table: [GpcMode, ConsentLevel[]][] = [
    ["anonymous", ["anonymous", "anonymous", "none"]],
    ["none", ["none", "none", "none"]],
    ["ignore", ["full", "anonymous", "none"]],
  ];
  test.each(table)("gpc %s: with Sec-GPC: 1, full/anonymous/none become %j", (gpc, expected) => {
    expect(levels.map((level) => effectiveConsent(level, { "sec-gpc": "1" }, gpc))).toEqual(expected);
    // Without the header the app's answer stands.
    expect(levels.map((level) => effectiveConsent(level, {}, gpc))).toEqual(levels);
  });

  test("capConsent takes the lower level", () => {
    expect(capConsent("full", "anonymous")).toBe("anonymous");
    expect(capConsent("none", "full")).toBe("none");
  });
});
