import type { IncomingHttpHeaders } from "node:http";
import { describe, expect, test } from "vitest";
import { anonymizeIp } from "../../src/identity/ip.js";
import { IdentityCore } from "../../src/identity/identity-core.js";
import type { IdentityOptions } from "../../src/identity/options.js";
import { campaignFromSearch, firstLocale } from "../../src/identity/request-context.js";
import type { ServerResponse } from "../../src/identity/set-cookie.js";
import type { RequestAdapter } from "../../src/identity/types.js";
import { RecordingTracker } from "./helpers/recording-tracker.js";

interface FakeRequest {
  headers: IncomingHttpHeaders;
  url: string;
  ip?: string;
  secure?: boolean;
}

const adapter: RequestAdapter<FakeRequest> = {
  headers: (req) => req.headers,
  secure: (req) => req.secure === true,
  hostname: (req) => req.headers.host?.split(":")[0],
  host: (req) => req.headers.host,
  protocol: (req) => (req.secure ? "https" : "http"),
  originalUrl: (req) => req.url,
  ip: (req) => req.ip,
};

/** Just enough of ServerResponse for the core's header handling. */
class FakeResponse {
  headersSent = false;
  private headers = new Map<string, number | string | string[]>();
  getHeader(name: string) {
    return this.headers.get(name.toLowerCase());
  }
  setHeader(name: string, value: number | string | string[]) {
    this.headers.set(name.toLowerCase(), value);
    return this;
  }
  removeHeader(name: string) {
    this.headers.delete(name.toLowerCase());
  }
  get setCookies(): string[] {
    const value = this.getHeader("set-cookie");
    return value === undefined ? [] : ([] as string[]).concat(value as string | string[]);
  }
}

function begin(options: IdentityOptions, req: Partial<FakeRequest> = {}) {
  const tracker = new RecordingTracker();
  // Round 1's context and cookie shapes; sessions (on by default) are pinned in sessions tests.
  const core = new IdentityCore<FakeRequest>(
    { analytics: tracker, session: false, hosts: [".shop.example"], ...options },
    adapter,
  );
  const res = new FakeResponse();
  const carrier = { anonymousId: "" };
  const request: FakeRequest = {
    url: "/pricing?plan=pro&utm_source=news&utm_medium=email&utm_campaign=spring",
    ip: "203.0.113.77",
    ...req,
    headers: {
      host: "www.shop.example:8080",
      "user-agent": "UA/1.0",
      "accept-language": "de-CH,de;q=0.9,en;q=0.8",
      referer: "https://search.example/?q=shop",
      ...req.headers,
    },
  };
  const client = core.begin(request, res as unknown as ServerResponse, carrier);
  return { tracker, res, carrier, client };
}

describe("request-scoped calls", () => {
  test("fill anonymousId and the request's context, as analytics.js shapes it", () => {
    const { tracker, client } = begin({}, { headers: { cookie: "aid=visitor-1" } });
    client.track({ event: "Viewed Pricing", properties: { plan: "pro" } });
    expect(tracker.calls).toEqual([
      {
        type: "track",
        message: {
          event: "Viewed Pricing",
          properties: { plan: "pro" },
          anonymousId: "visitor-1",
          context: {
            ip: "203.0.113.77",
            userAgent: "UA/1.0",
            locale: "de-CH",
            page: {
              url: "http://www.shop.example:8080/pricing?plan=pro&utm_source=news&utm_medium=email&utm_campaign=spring",
              path: "/pricing",
              search: "?plan=pro&utm_source=news&utm_medium=email&utm_campaign=spring",
              referrer: "https://search.example/?q=shop",
            },
            campaign: { source: "news", medium: "email", name: "spring" },
          },
        },
      },
    ]);
  });

  test("explicit fields win, page/campaign merged field by field; the app's message is not mutated", () => {
    const { tracker, client } = begin({}, { headers: { cookie: "aid=visitor-1" } });
    const message = {
      event: "E",
      anonymousId: "explicit-anon",
      context: { ip: "10.0.0.1", page: { title: "Pricing" }, campaign: { name: "override" }, app: { name: "shop" } },
    };
    client.track(message);
    const sent = tracker.calls[0]!.message as { anonymousId: string; context: Record<string, Record<string, unknown>> };
    expect(sent.anonymousId).toBe("explicit-anon");
    expect(sent.context.ip).toBe("10.0.0.1");
    expect(sent.context.page).toMatchObject({ title: "Pricing", path: "/pricing" });
    expect(sent.context.campaign).toEqual({ source: "news", medium: "email", name: "override" });
    expect(sent.context.app).toEqual({ name: "shop" });
    expect(message).not.toHaveProperty("context.page.path");
  });

  test("identify binds userId for the rest of the request; alias fills previousId with the anonymous id", () => {
    const { tracker, client } = begin({}, { headers: { cookie: "aid=visitor-1" } });
    client.page({ name: "Before" });
    client.identify({ userId: 42, traits: { email: "a@b.c" } });
    client.track({ event: "Signed Up" });
    client.alias({ userId: "user-42" });
    client.group({ groupId: "g1" });
    client.screen({ name: "S" });
    const ids = tracker.calls.map(({ type, message }) => [type, message.userId, message.anonymousId]);
    expect(ids).toEqual([
      ["page", undefined, "visitor-1"],
      ["identify", 42, "visitor-1"],
      ["track", "42", "visitor-1"],
      ["alias", "user-42", undefined],
      ["group", "user-42", "visitor-1"],
      ["screen", "user-42", "visitor-1"],
    ]);
    expect(tracker.calls[3]!.message.previousId).toBe("visitor-1");
    expect(client.userId).toBe("user-42");
  });

  test("page() defaults its properties to the page's url/path/search/referrer, as analytics.js does", () => {
    const { tracker, client } = begin({}, { url: "/docs", headers: { cookie: "aid=v" } });
    client.page({ name: "Docs", properties: { path: "/override" } });
    expect(tracker.calls[0]!.message.properties).toEqual({
      url: "http://www.shop.example:8080/docs",
      path: "/override",
      search: "",
      referrer: "https://search.example/?q=shop",
    });
  });

  test("reset(): a new id and cookie for the rest of the request, bound user forgotten, the first cookie taken back", () => {
    const { tracker, client, res, carrier } = begin({ mirror: ["segment"] });
    const first = client.anonymousId;
    expect(res.setCookies).toHaveLength(2);
    client.identify({ userId: "u1" });
    client.reset();
    client.track({ event: "After" });
    expect(client.anonymousId).not.toBe(first);
    expect(carrier.anonymousId).toBe(client.anonymousId);
    expect(tracker.calls[1]!.message).toMatchObject({ anonymousId: client.anonymousId });
    expect(tracker.calls[1]!.message.userId).toBeUndefined();
    expect(res.setCookies).toEqual([
      expect.stringMatching(new RegExp(`^aid=${client.anonymousId};`)),
      expect.stringMatching(new RegExp(`^ajs_anonymous_id=${client.anonymousId};.*Domain=shop.example`)),
    ]);
  });

  test("calls never throw: non-object messages go to the client to be reported", () => {
    const { tracker, client } = begin({});
    expect(() => client.track(null as never)).not.toThrow();
    expect(() => client.identify("x" as never)).not.toThrow();
    expect(() => client.track({ event: "E", context: "nope" as never })).not.toThrow();
    expect(tracker.calls.map((c) => c.message)).toEqual([null, "x", expect.objectContaining({ context: "nope" })]);
  });

  test("ip: 'omit' leaves it out, 'anonymize' zeroes the host part", () => {
    const omit = begin({ ip: "omit" });
    omit.client.track({ event: "E" });
    expect(omit.tracker.calls[0]!.message.context).not.toHaveProperty("ip");
    const anon = begin({ ip: "anonymize" }, { ip: "2001:db8:85a3:8d3:1319:8a2e:370:7348" });
    anon.client.track({ event: "E" });
    expect(anon.tracker.calls[0]!.message.context).toMatchObject({ ip: "2001:db8:85a3::" });
  });
});

describe("context pieces", () => {
  test.each([
    ["203.0.113.77", "203.0.113.0"],
    ["::ffff:198.51.100.9", "::ffff:198.51.100.0"],
    ["2001:db8::1", "2001:db8::"],
    ["fe80::1%eth0", "fe80::"],
    ["::1", "::"],
    ["not an ip", undefined],
  ])("anonymizeIp(%s) = %s", (ip, expected) => {
    expect(anonymizeIp(ip)).toBe(expected);
  });

  test.each([
    ["en-US,en;q=0.9", "en-US"],
    ["fr;q=0.8", "fr"],
    ["*", undefined],
    ["", undefined],
    ["<script>", undefined],
  ])("firstLocale(%j) = %s", (header, expected) => {
    expect(firstLocale(header)).toBe(expected);
  });

  test("campaign from utm_* parameters, utm_campaign as name, others ignored", () => {
    expect(campaignFromSearch("?utm_source=a&utm_campaign=b%20c&utm_term=t&utm_content=x&utm_id=9&q=1")).toEqual({
      source: "a",
      name: "b c",
      term: "t",
      content: "x",
      id: "9",
    });
    expect(campaignFromSearch("?q=1")).toBeUndefined();
  });
});
