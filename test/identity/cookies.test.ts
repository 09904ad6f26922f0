import { describe, expect, test } from "vitest";
import { generateAnonymousId, isValidAnonymousId, isValidAnonymousIdIn } from "../../src/identity/anonymous-id.js";
import { registrableDomain } from "../../src/identity/cookie-domain.js";
import {
  allCookieValues,
  cookieValueEnd,
  cookieValueStart,
  parseCookieHeader,
} from "../../src/identity/cookie-header.js";
import { resolveIdentityOptions } from "../../src/identity/options.js";
import { resolveAnonymousId } from "../../src/identity/resolve-id.js";
import { segmentCookieValue, segmentMirrorCookie } from "../../src/identity/segment-mirror.js";
import { buildSetCookie } from "../../src/identity/set-cookie.js";

describe("anonymous id validation", () => {
  test.each([
    "85652ca4-5e55-4d39-afd0-b42319dd124e",
    "01a209dc-8296-7307-bb7a-ce38fb64bc4e",
    "a",
    "user:42.x_y-z",
    "x".repeat(128),
  ])("accepts %s", (id) => expect(isValidAnonymousId(id)).toBe(true));

  test.each([
    ["empty", ""],
    ["129 characters", "x".repeat(129)],
    ["CR/LF", "abc\r\nSet-Cookie: x=1"],
    ["a semicolon", "a;b"],
    ["a double quote", '"abc"'],
    ["a space", "a b"],
    ["percent-encoding", "abc%3A"],
    ["unicode", "ünïcödé"],
    ["a comma", "a,b"],
  ])("rejects %s", (_, id) => expect(isValidAnonymousId(id)).toBe(false));

  test("accepts exactly the characters A-Za-z0-9._:- (every UTF-16 code unit, alone and inside an id)", () => {
    const allowed = /^[A-Za-z0-9._:-]$/;
    const wrong: number[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      const char = String.fromCharCode(code);
      const expected = allowed.test(char);
      if (isValidAnonymousId(char) !== expected || isValidAnonymousId(`ab${char}cd`) !== expected) wrong.push(code);
      // Checked where it lies, between neighbours that are refused (`;`) and accepted (`x`).
      if (isValidAnonymousIdIn(`;x${char};`, 2, 3) !== expected) wrong.push(code);
    }
    expect(wrong).toEqual([]);
  });

  test.each([42, null, undefined, {}, ["a"]])("rejects a non-string (%j)", (value) => {
    expect(isValidAnonymousId(value)).toBe(false);
  });

  test("new ids are UUID v4 and valid", () => {
    const id = generateAnonymousId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(isValidAnonymousId(id)).toBe(true);
  });
});

describe("the returning visitor's cookie scan (cookieValueStart / cookieValueEnd)", () => {
  const valueOf = (header: string, name: string): string | undefined => {
    const start = cookieValueStart(header, `${name}=`);
    return start === -1 ? undefined : header.slice(start, cookieValueEnd(header, start));
  };

  test.each([
    ["first in the header", "aid=1; b=2", "1"],
    ["last in the header", "b=2; aid=1", "1"],
    ["after `;` and no space", "b=2;aid=1", "1"],
    ["after `;` and several spaces", "b=2;   aid=1; c=3", "1"],
    ["the first of duplicates", "aid=1; aid=2", "1"],
    ["empty", "aid=; b=2", ""],
    ["spaces kept (the caller's check refuses them)", "aid= 1 ; b=2", " 1 "],
    ["inside another name", "xaid=1", undefined],
    ["inside another value", "b=aid=1", undefined],
    ["inside another value, then the real one", "b=aid=1; aid=2", "2"],
    ["after a tab", "b=2;\taid=1", undefined],
    ["with a space before =", "aid =1", undefined],
    ["absent", "b=2", undefined],
    ["an empty header", "", undefined],
  ])("%s: %j", (_, header, expected) => {
    expect(valueOf(header, "aid")).toBe(expected);
  });

  test("it finds what the full parse finds, whenever it finds a value with no spaces around it", () => {
    const headers = ["aid=1; b=2", "b=2;aid=1", "b=aid=1; aid=2", "aid=1; aid=2", "x=1;  aid=a.b:c"];
    for (const header of headers) expect(valueOf(header, "aid")).toBe(parseCookieHeader(header).aid);
  });
});

describe("Cookie header parsing", () => {
  test("values stay raw: nothing is URL-decoded", () => {
    expect(parseCookieHeader("aid=a%3Ab; x=%22q%22")).toEqual({ aid: "a%3Ab", x: "%22q%22" });
  });

  test.each([undefined, "", ";;;", "=", "aid", "=aid=x", "\u0000\u0001", "a=b;;c", "aid=\r\n"])(
    "a malformed header never throws: %j",
    (header) => {
      expect(() => parseCookieHeader(header)).not.toThrow();
    },
  );

  test("duplicates: all values in header order", () => {
    expect(allCookieValues("aid=1; b=2; aid=3 ;aid = 4", "aid")).toEqual(["1", "3", "4"]);
  });
});

describe("resolving the id", () => {
  const options = resolveIdentityOptions({});
  const resolve = (header: string, opts = options) => resolveAnonymousId(parseCookieHeader(header), header, opts);

  test("a valid aid is kept and not re-sent", () => {
    expect(resolve("aid=abc-1")).toMatchObject({ id: "abc-1", source: "cookie", writeCookie: false });
  });

  test("an aid with spaces around it (which the quick scan refuses) is the same id, not re-sent", () => {
    expect(resolve("b=2; aid= abc-1 ; c=3")).toMatchObject({ id: "abc-1", source: "cookie", writeCookie: false });
  });

  test("rolling re-sends a valid aid", () => {
    expect(resolve("aid=abc-1", resolveIdentityOptions({ rolling: true }))).toMatchObject({
      id: "abc-1",
      writeCookie: true,
    });
  });

  test("two aid cookies: the first valid one, re-issued", () => {
    expect(resolve('aid="bad"; aid=good-2; aid=good-3')).toMatchObject({
      id: "good-2",
      source: "cookie",
      writeCookie: true,
    });
    expect(resolve("aid=first; aid=second")).toMatchObject({ id: "first", writeCookie: false });
  });

  test("an invalid aid falls through to the foreign cookies, then a new id", () => {
    expect(resolve("aid=%0D%0A; ajs_anonymous_id=seg-1")).toMatchObject({
      id: "seg-1",
      source: "segment",
      writeCookie: true,
    });
    const fresh = resolve("aid=%0D%0A");
    expect(fresh.source).toBe("new");
    expect(fresh.id).not.toContain("%");
  });

  test("foreign order: Segment, then Snowplow, then PostHog; each can be switched off", () => {
    const ph = encodeURIComponent(JSON.stringify({ $device_id: "ph-1" }));
    const header = `ph_phc_x_posthog=${ph}; _sp_id.ab12=sp-1.1.2; ajs_anonymous_id=seg-1`;
    expect(resolve(header).id).toBe("seg-1");
    expect(resolve(header, resolveIdentityOptions({ foreignCookies: ["snowplow", "posthog"] })).id).toBe("sp-1");
    expect(resolve(header, resolveIdentityOptions({ foreignCookies: ["posthog"] })).id).toBe("ph-1");
    expect(resolve(header, resolveIdentityOptions({ foreignCookies: false })).source).toBe("new");
  });

  test("a custom cookie name", () => {
    expect(resolve("tl_id=xyz; aid=abc", resolveIdentityOptions({ cookieName: "tl_id" })).id).toBe("xyz");
  });
});

describe("Set-Cookie lines", () => {
  test("values are written raw: ':' stays ':'", () => {
    const line = buildSetCookie("aid", "user:42", { maxAgeSeconds: 10, httpOnly: false, secure: false });
    expect(line).toBe("aid=user:42; Max-Age=10; Path=/; SameSite=Lax");
  });

  test("the Segment mirror quotes only ids analytics.js would JSON-parse into a non-string", () => {
    expect(segmentCookieValue("85652ca4-5e55-4d39-afd0-b42319dd124e")).toBe("85652ca4-5e55-4d39-afd0-b42319dd124e");
    expect(segmentCookieValue("123")).toBe("%22123%22");
    expect(segmentCookieValue("null")).toBe("%22null%22");
  });

  test("the mirror goes on the registrable domain of a served host; host-only for IPs, localhost and bad hosts", () => {
    const settings = { maxAgeSeconds: 60, domain: undefined, hosts: [".shop.example", "127.0.0.1", "localhost"] };
    expect(segmentMirrorCookie("id1", "www.shop.example", true, settings)).toBe(
      "ajs_anonymous_id=id1; Max-Age=60; Domain=shop.example; Path=/; Secure; SameSite=Lax",
    );
    expect(segmentMirrorCookie("id1", "127.0.0.1", false, settings)).toBe(
      "ajs_anonymous_id=id1; Max-Age=60; Path=/; SameSite=Lax",
    );
    expect(segmentMirrorCookie("id1", "localhost", false, settings)).not.toContain("Domain");
    expect(
      segmentMirrorCookie("id1", "www.shop.example", false, { maxAgeSeconds: 60, domain: "example.org", hosts: [] }),
    ).toContain("Domain=example.org");
  });

  test("Set-Cookie hardening: a Host header the app does not serve gets a host-only mirror, never its own Domain", () => {
    const settings = { maxAgeSeconds: 60, domain: undefined, hosts: ["www.shop.example", ".blog.example"] };
    expect(segmentMirrorCookie("id1", "www.shop.example", false, settings)).toContain("Domain=shop.example");
    expect(segmentMirrorCookie("id1", "a.blog.example", false, settings)).toContain("Domain=blog.example");
    expect(segmentMirrorCookie("id1", "blog.example", false, settings)).toContain("Domain=blog.example");
    for (const spoofed of [
      "evil.example",
      "shop.example",
      "xwww.shop.example",
      "notblog.example",
      "WWW.SHOP.EXAMPLE.evil.test",
    ]) {
      expect(segmentMirrorCookie("id1", spoofed, false, settings)).not.toContain("Domain");
    }
    // Without `hosts` (and without `domain`) no Host header chooses a Domain.
    expect(
      segmentMirrorCookie("id1", "www.shop.example", false, { maxAgeSeconds: 60, domain: undefined, hosts: [] }),
    ).not.toContain("Domain");
    // The configured domain is the only other Domain it ever carries, whatever the Host.
    expect(
      segmentMirrorCookie("id1", "evil.example", false, { maxAgeSeconds: 60, domain: "shop.example", hosts: [] }),
    ).toContain("Domain=shop.example");
  });

  test("registrable domains follow the Public Suffix List, private section included", () => {
    expect(registrableDomain("www.shop.example")).toBe("shop.example");
    expect(registrableDomain("a.b.shop.co.uk")).toBe("shop.co.uk");
    expect(registrableDomain("me.github.io")).toBe("me.github.io");
    expect(registrableDomain("[::1]")).toBeUndefined();
    expect(registrableDomain("192.168.1.20")).toBeUndefined();
    expect(registrableDomain("localhost")).toBeUndefined();
    expect(registrableDomain("bad host;x")).toBeUndefined();
  });
});

describe("options", () => {
  test("defaults", () => {
    expect(resolveIdentityOptions()).toMatchObject({
      cookieName: "aid",
      maxAgeSeconds: 31_536_000,
      httpOnly: false,
      rolling: false,
      readSegment: true,
      readSnowplow: true,
      readPostHog: true,
      mirrorSegment: false,
      ip: "full",
    });
  });

  test("maxAgeSeconds is capped at 400 days", () => {
    expect(resolveIdentityOptions({ maxAgeSeconds: 10 * 365 * 86_400 }).maxAgeSeconds).toBe(400 * 86_400);
  });

  test.each([
    { cookieName: "a id" },
    { maxAgeSeconds: 0 },
    { maxAgeSeconds: 1.5 },
    { domain: "bad domain" },
    { ip: "partial" },
    { foreignCookies: ["amplitude"] },
    { mirror: ["posthog"] },
    { analytics: { track() {} } },
  ])("bad options throw a config error: %j", (bad) => {
    expect(() => resolveIdentityOptions(bad as never)).toThrowError(expect.objectContaining({ code: "config" }));
  });
});
