import nock from "nock";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { Analytics, VERSION } from "../../src/index.js";

const HOST = "http://collector.test";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

interface Captured {
  headers: Record<string, string | string[] | undefined>;
  body: { batch: Array<Record<string, unknown>>; sentAt: string };
}

/** Intercepts one POST /v1/batch and resolves with what was sent. */
function captureOne(path = "/v1/batch"): Promise<Captured> {
  return new Promise((resolve) => {
    nock(HOST)
      .post(path)
      .reply(function (_uri, body) {
        resolve({ headers: this.req.headers, body: body as Captured["body"] });
        return [200, "{}"];
      });
  });
}

beforeAll(() => {
  nock.disableNetConnect();
});
afterEach(() => {
  nock.cleanAll();
});

describe("request shape (nock)", () => {
  it("POSTs {batch, sentAt} to /v1/batch with JSON, Basic auth and the threadline User-Agent", async () => {
    const captured = captureOne();
    const analytics = new Analytics({ host: HOST, writeKey: "wk_123", flushAt: 1 });
    analytics.track({ event: "Signed Up", userId: "u1" });
    const { headers, body } = await captured;
    expect(headers["content-type"]).toBe("application/json");
    expect(headers.authorization).toBe("Basic " + Buffer.from("wk_123:").toString("base64"));
    expect(headers["user-agent"]).toBe(`threadline/${VERSION}`);
    expect(Object.keys(body).sort()).toEqual(["batch", "sentAt"]);
    expect(body.sentAt).toMatch(ISO);
    expect(body.batch).toHaveLength(1);
    await analytics.close();
  });

  it("honours a custom path and a host given with a trailing slash", async () => {
    const captured = captureOne("/collect/batch");
    const analytics = new Analytics({ host: HOST + "/", path: "/collect/batch", writeKey: "k", flushAt: 1 });
    analytics.track({ event: "E", userId: "u1" });
    expect((await captured).body.batch[0].event).toBe("E");
    await analytics.close();
  });

  const when = new Date("2026-03-04T05:06:07.089Z");
  const cases: Array<{ type: string; call: (a: Analytics) => void; expected: Record<string, unknown> }> = [
    {
      type: "identify",
      call: (a) => a.identify({ userId: "u1", anonymousId: "anon-1", traits: { email: "a@b.c" }, timestamp: when }),
      expected: { type: "identify", userId: "u1", anonymousId: "anon-1", traits: { email: "a@b.c" } },
    },
    {
      type: "track",
      call: (a) =>
        a.track({
          userId: "u1",
          event: "Order Completed",
          properties: { total: 9.5, items: ["a", "b"] },
          timestamp: when,
        }),
      expected: {
        type: "track",
        userId: "u1",
        event: "Order Completed",
        properties: { total: 9.5, items: ["a", "b"] },
      },
    },
    {
      type: "page",
      call: (a) =>
        a.page({
          anonymousId: "anon-1",
          name: "Pricing",
          category: "Docs",
          properties: { path: "/pricing" },
          timestamp: when,
        }),
      expected: {
        type: "page",
        anonymousId: "anon-1",
        name: "Pricing",
        category: "Docs",
        properties: { path: "/pricing" },
      },
    },
    {
      type: "screen",
      call: (a) => a.screen({ userId: "u1", name: "Home", timestamp: when }),
      expected: { type: "screen", userId: "u1", name: "Home", properties: {} },
    },
    {
      type: "group",
      call: (a) => a.group({ userId: "u1", groupId: "acme", traits: { plan: "pro" }, timestamp: when }),
      expected: { type: "group", userId: "u1", groupId: "acme", traits: { plan: "pro" } },
    },
    {
      type: "alias",
      call: (a) => a.alias({ userId: "u1", previousId: "anon-1", timestamp: when }),
      expected: { type: "alias", userId: "u1", previousId: "anon-1" },
    },
  ];

  it.each(cases)(
    "$type: fields, messageId, timestamp, context.library and integrations",
    async ({ call, expected }) => {
      const captured = captureOne();
      const analytics = new Analytics({ host: HOST, writeKey: "k", flushAt: 1 });
      call(analytics);
      const message = (await captured).body.batch[0];
      expect(message).toMatchObject(expected);
      expect(message.messageId).toMatch(UUID);
      expect(message.timestamp).toBe(when.toISOString());
      expect(message.context).toEqual({ library: { name: "threadline", version: VERSION } });
      expect(message.integrations).toEqual({});
      await analytics.close();
    },
  );

  it("merges the caller's context but keeps threadline's library, and does not mutate the caller's objects", async () => {
    const captured = captureOne();
    const analytics = new Analytics({ host: HOST, writeKey: "k", flushAt: 1 });
    const context = { ip: "1.2.3.4", library: { name: "spoof", version: "0" } };
    const input = {
      userId: 42,
      event: "E",
      context,
      integrations: { All: false },
      messageId: "my-id-1",
      timestamp: 1700000000000,
    };
    const before = JSON.stringify(input);
    analytics.track(input);
    const message = (await captured).body.batch[0];
    expect(JSON.stringify(input)).toBe(before);
    expect(message.userId).toBe("42");
    expect(message.messageId).toBe("my-id-1");
    expect(message.timestamp).toBe(new Date(1700000000000).toISOString());
    expect(message.integrations).toEqual({ All: false });
    expect(message.context).toEqual({ ip: "1.2.3.4", library: { name: "threadline", version: VERSION } });
    await analytics.close();
  });
});
