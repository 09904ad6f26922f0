import { describe, expect, it } from "vitest";
import { startCollector } from "../../src/dev/index.js";
import { INACTIVITY_MS, sessionize } from "../../src/dev/sessions.js";
import type { StoredMessage } from "../../src/dev/validate.js";
import { collector, get, post } from "./helpers.js";
import { useRealClient } from "./real-client.js";

const send = useRealClient("sessions");
const T0 = Date.UTC(2026, 2, 2, 9, 0, 0);
const at = (minutes: number): string => new Date(T0 + minutes * 60_000).toISOString();
const DAY = 24 * 60;

// What the identity middleware puts on every request-scoped call.
const session = (sessionId: string, sessionIndex: number, previousSessionId: string | null, startedAt: string) => ({
  sessionId,
  sessionIndex,
  previousSessionId,
  startedAt,
});
const pageContext = (url: string, referrer?: string) => {
  const parsed = new URL(url);
  return { page: { url, path: parsed.pathname, search: parsed.search, ...(referrer ? { referrer } : {}) } };
};

describe("sessions of a two-device, three-visit journey, sent by the real client", () => {
  const L1 = "0b6f2c1e-1111-4a7e-9c1d-000000000001";
  const P1 = "0b6f2c1e-2222-4a7e-9c1d-000000000002";
  const L2 = "0b6f2c1e-3333-4a7e-9c1d-000000000003";
  const laptop = "anon-laptop-7f3c9a52-0d41-4c8e-b1aa-3e2f4b6c8d90";
  const phone = "anon-phone-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
  // Visit 1: an ad click on the laptop. Visit 2: the phone, from a link, signs up. Visit 3:
  // the laptop again days later, from the newsletter, and logs in.
  const calls: Array<[string, Record<string, unknown>]> = [
    [
      "page",
      {
        anonymousId: laptop,
        name: "Home",
        timestamp: at(0),
        context: {
          ...pageContext(
            "https://shop.test/?utm_source=facebook&utm_medium=cpc&utm_campaign=spring",
            "https://facebook.com/",
          ),
          session: session(L1, 1, null, at(0)),
        },
      },
    ],
    [
      "page",
      {
        anonymousId: laptop,
        name: "Pricing",
        timestamp: at(4),
        context: {
          ...pageContext("https://shop.test/pricing", "https://shop.test/"),
          session: session(L1, 1, null, at(0)),
        },
      },
    ],
    [
      "page",
      {
        anonymousId: phone,
        name: "Post",
        timestamp: at(DAY + 660),
        context: {
          ...pageContext("https://shop.test/blog/post", "https://news.example/"),
          session: session(P1, 1, null, at(DAY + 660)),
        },
      },
    ],
    [
      "track",
      {
        anonymousId: phone,
        event: "Video Played",
        timestamp: at(DAY + 663),
        context: { ...pageContext("https://shop.test/blog/post"), session: session(P1, 1, null, at(DAY + 660)) },
      },
    ],
    [
      "identify",
      {
        anonymousId: phone,
        userId: "user_1",
        traits: { email: "ada@example.test" },
        timestamp: at(DAY + 664),
        context: { ...pageContext("https://shop.test/signup"), session: session(P1, 1, null, at(DAY + 660)) },
      },
    ],
    [
      "track",
      {
        anonymousId: phone,
        userId: "user_1",
        event: "Signed Up",
        timestamp: at(DAY + 664.5),
        context: { ...pageContext("https://shop.test/signup"), session: session(P1, 1, null, at(DAY + 660)) },
      },
    ],
    [
      "page",
      {
        anonymousId: laptop,
        name: "Pricing",
        timestamp: at(3 * DAY),
        context: {
          ...pageContext("https://shop.test/pricing?utm_source=newsletter&utm_medium=email&utm_campaign=weekly"),
          campaign: { source: "newsletter", medium: "email", name: "weekly" },
          session: session(L2, 2, L1, at(3 * DAY)),
        },
      },
    ],
    [
      "identify",
      {
        anonymousId: laptop,
        userId: "user_1",
        timestamp: at(3 * DAY + 1),
        context: { ...pageContext("https://shop.test/login"), session: session(L2, 2, L1, at(3 * DAY)) },
      },
    ],
    [
      "track",
      {
        anonymousId: laptop,
        userId: "user_1",
        event: "Logged In",
        timestamp: at(3 * DAY + 1.5),
        context: { ...pageContext("https://shop.test/login"), session: session(L2, 2, L1, at(3 * DAY)) },
      },
    ],
  ];
  const expected = [
    {
      sessionId: L1,
      sessionIndex: 1,
      anonymousId: laptop,
      startedAt: at(0),
      endedAt: at(4),
      events: 2,
      inferred: false,
      entry: { source: "facebook", medium: "cpc", campaign: "spring", referrer: "https://facebook.com/", path: "/" },
    },
    {
      sessionId: P1,
      sessionIndex: 1,
      anonymousId: phone,
      startedAt: at(DAY + 660),
      endedAt: at(DAY + 664.5),
      events: 4,
      inferred: false,
      entry: { source: null, medium: null, campaign: null, referrer: "https://news.example/", path: "/blog/post" },
    },
    {
      sessionId: L2,
      sessionIndex: 2,
      anonymousId: laptop,
      startedAt: at(3 * DAY),
      endedAt: at(3 * DAY + 1.5),
      events: 3,
      inferred: false,
      entry: { source: "newsletter", medium: "email", campaign: "weekly", referrer: null, path: "/pricing" },
    },
  ];

  it("lists each visit with its entry source on GET /dev/users/:userId and GET /dev/sessions", async () => {
    const { url } = await collector();
    // Sent in a shuffled order: sessions come from the events' times, not their arrival.
    const shuffled = [
      calls[6]!,
      calls[2]!,
      calls[0]!,
      calls[8]!,
      calls[3]!,
      calls[1]!,
      calls[5]!,
      calls[7]!,
      calls[4]!,
    ];
    expect(await send({ host: url, flushAt: 3 }, shuffled)).toMatchObject({ delivered: 9, failed: 0 });

    const journey = (await get(`${url}/dev/users/user_1`)).body;
    expect(journey.sessions).toEqual(expected);
    // Every event of the journey names its visit.
    const visitOf = journey.events.map((event: { sessionId: string; context: { session: { sessionId: string } } }) => [
      event.sessionId,
      event.context.session.sessionId,
    ]);
    for (const [marked, declared] of visitOf) expect(marked).toBe(declared);

    expect((await get(`${url}/dev/sessions?userId=user_1`)).body.sessions).toEqual(expected);
    expect((await get(`${url}/dev/sessions?anonymousId=${laptop}`)).body.sessions).toEqual([expected[0], expected[2]]);
    expect((await get(`${url}/dev/sessions?userId=user_1&anonymousId=${phone}`)).body.sessions).toEqual([expected[1]]);
    expect((await get(`${url}/dev/sessions`)).body.sessions).toEqual(expected);
    expect((await get(`${url}/dev/sessions?userId=nobody`)).body.sessions).toEqual([]);
  });
});

// ---- inferred sessions: events without context.session ----------------------------------

let n = 0;
function stored(minutes: number, fields: Record<string, unknown> = {}): StoredMessage {
  n += 1;
  return {
    type: "page",
    messageId: `m-${n}`,
    anonymousId: "a1",
    timestamp: at(minutes),
    receivedAt: at(minutes),
    ...fields,
  } as StoredMessage;
}
const shape = (events: StoredMessage[]) =>
  sessionize(events).sessions.map((s) => [s.anonymousId, s.sessionIndex, s.startedAt, s.endedAt, s.events, s.inferred]);

describe("inferred sessions (no context.session): 30 minutes of inactivity per device", () => {
  it("starts a new session after a gap over 30 minutes, not after exactly 30", () => {
    expect(INACTIVITY_MS).toBe(30 * 60_000);
    const events = [stored(0), stored(10), stored(40), stored(70.01), stored(71)];
    expect(shape(events)).toEqual([
      ["a1", 1, at(0), at(40), 3, true],
      ["a1", 2, at(70.01), at(71), 2, true],
    ]);
  });

  it("keeps events with equal timestamps in one session, in arrival order", () => {
    const events = [stored(5), stored(5), stored(5)];
    const { sessions, sessionOf } = sessionize(events);
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({ startedAt: at(5), endedAt: at(5), events: 3 });
    expect(new Set(events.map((event) => sessionOf.get(event))).size).toBe(1);
  });

  it("sessionizes each device on its own, and a user's device-less server events on their own too", () => {
    const events = [
      stored(0),
      stored(1, { anonymousId: "a2" }),
      stored(20),
      stored(50, { anonymousId: "a2" }),
      stored(2, { anonymousId: undefined, userId: "u" }),
    ];
    expect(shape(events)).toEqual([
      ["a1", 1, at(0), at(20), 2, true],
      ["a2", 1, at(1), at(1), 1, true],
      [null, 1, at(2), at(2), 1, true],
      ["a2", 2, at(50), at(50), 1, true],
    ]);
  });

  it("derives the same session id from the same events, whatever their arrival order", () => {
    const events = [stored(0), stored(3), stored(90)];
    const first = sessionize(events).sessions.map((s) => s.sessionId);
    const again = sessionize([events[2]!, events[0]!, events[1]!]).sessions.map((s) => s.sessionId);
    expect(again).toEqual(first);
    expect(first[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(first[0]).not.toBe(first[1]);
    // Another device with the same first message id gets another session.
    expect(sessionize([{ ...events[0]!, anonymousId: "a9" }]).sessions[0]!.sessionId).not.toBe(first[0]);
  });

  it("lets an undeclared event join the device's declared session while it is live, and counts on from its index", () => {
    const declared = { session: { sessionId: "s-7", sessionIndex: 7, previousSessionId: "s-6", startedAt: at(-2) } };
    const events = [
      stored(0, { context: declared }),
      stored(5),
      stored(50),
      stored(52, { context: { session: { sessionId: 12 } } }),
    ];
    const { sessions } = sessionize(events);
    expect(
      sessions.map((s) => [
        s.sessionId === "s-7" ? "s-7" : "inferred",
        s.sessionIndex,
        s.startedAt,
        s.events,
        s.inferred,
      ]),
    ).toEqual([
      ["s-7", 7, at(-2), 2, false],
      // A garbage context.session (numeric id) counts as none.
      ["inferred", 8, at(50), 2, true],
    ]);
  });

  it("fills the entry from the first event, each unknown field null", () => {
    const events = [
      stored(0, {
        context: {
          page: { url: "https://x.test/landing?utm_source=ads&utm_campaign=c1", referrer: "https://search.test/" },
        },
      }),
      stored(1, { context: { campaign: { source: "other" } } }),
      stored(60, { type: "track", event: "Ping" }),
      stored(120, { properties: { path: "/from-properties" } }),
    ];
    expect(sessionize(events).sessions.map((s) => s.entry)).toEqual([
      { source: "ads", medium: null, campaign: "c1", referrer: "https://search.test/", path: "/landing" },
      { source: null, medium: null, campaign: null, referrer: null, path: null },
      { source: null, medium: null, campaign: null, referrer: null, path: "/from-properties" },
    ]);
  });

  it("serves them on GET /dev/sessions with the same ids after a restart (they come from the data, not from memory)", async () => {
    const first = await collector();
    const batch = [stored(0), stored(10), stored(45), stored(46, { anonymousId: "a2" })].map(
      ({ receivedAt: _r, ...message }) => message,
    );
    expect((await post(`${first.url}/v1/batch`, { batch })).body).toMatchObject({ accepted: 4 });
    const before = (await get(`${first.url}/dev/sessions?anonymousId=a1`)).body.sessions;
    expect(before.map((s: { events: number; sessionIndex: number }) => [s.sessionIndex, s.events])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    await first.close();
    const second = await startCollector({ port: 0, quiet: true, dataFile: first.dataFile });
    try {
      expect((await get(`${second.url}/dev/sessions?anonymousId=a1`)).body.sessions).toEqual(before);
    } finally {
      await second.close();
    }
  });
});
