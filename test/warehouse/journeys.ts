/*
 * Seeded visitor journeys for the differential test: the calls a site's server would make,
 * in the order they reach the collector. Every case the stitching rules distinguish shows
 * up: anonymous-only visitors, one-device sign-ups, users on several devices, aliases
 * (anonymous id → user, old user id → new), shared browsers where two users sign in one
 * after the other, equal timestamps, arrival out of timestamp order, and retried duplicates
 * (the same messageId sent again).
 */

export type Method = "identify" | "track" | "page" | "screen" | "group" | "alias";
export type Call = [Method, Record<string, unknown>];

/** mulberry32: small, fast, and the same sequence on every Node version. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const T0 = Date.UTC(2026, 0, 1);
const SOURCES = ["google", "newsletter", "twitter", "café", 'quote"d', "partner's"];
const MEDIUMS = ["cpc", "email", "social", "referral"];
const CAMPAIGNS = ["spring sale", "launch", "réduction d'été", "b2b"];
const REFERRERS = ["https://www.google.com/", "https://news.ycombinator.com/", "https://t.co/x", ""];
const PAGES = ["/", "/pricing", "/docs", "/blog/post", "/signup"];
const EVENTS = ["Viewed Pricing", "Clicked CTA", "Signed Up", "Order Completed", "Searched"];

export function generateJourneys(seed: number, count: number): Call[] {
  const rnd = random(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)]!;
  const chance = (p: number): boolean => rnd() < p;
  let serial = 0;
  const hex = (n: number) => n.toString(16).padStart(8, "0");
  const newId = (prefix: string) => `${prefix}-${hex(seed)}-${hex(serial++)}`;

  /** Where the visitor came from, three ways: context.campaign, utm_* in the page URL, or neither. */
  const touch = (path: string): Record<string, unknown> => {
    const page: Record<string, unknown> = { path, referrer: pick(REFERRERS) };
    const context: Record<string, unknown> = { ip: "203.0.113.7", userAgent: "Mozilla/5.0 (journey)", page };
    const roll = rnd();
    if (roll < 0.35) {
      // Sometimes a field is empty: the collector then falls back to the URL's utm_* for it.
      context.campaign = { source: chance(0.15) ? "" : pick(SOURCES), medium: pick(MEDIUMS), name: pick(CAMPAIGNS) };
      page.url = `https://shop.example${path}?utm_source=${encodeURIComponent(pick(SOURCES))}`;
    } else if (roll < 0.7) {
      const query = [
        `utm_source=${encodeURIComponent(pick(SOURCES))}`,
        chance(0.7) ? `utm_medium=${pick(MEDIUMS)}` : "utm_medium=",
        `utm_campaign=${encodeURIComponent(pick(CAMPAIGNS)).replace(/%20/g, "+")}`,
      ];
      page.url = `https://shop.example${path}?ref=1&${query.join("&")}${chance(0.2) ? "#utm_source=fragment" : ""}`;
    } else {
      page.url = `https://shop.example${path}`;
    }
    return context;
  };

  const calls: Array<{ order: number; call: Call }> = [];
  let clock: number;
  /** A timestamp after `at`; sometimes exactly equal (same millisecond), as bursts are. */
  const after = (at: number) => (chance(0.2) ? at : at + 1 + Math.floor(rnd() * 90_000));
  const emit = (method: Method, body: Record<string, unknown>, at: number) => {
    const message = { ...body, timestamp: new Date(at).toISOString(), messageId: newId("m") };
    // Arrival order: mostly the timestamp order, but a share arrives late (a queue drained
    // after a restart) or early, across journeys and within one.
    const order = chance(0.15) ? at + (rnd() - 0.5) * 3_600_000 : at;
    calls.push({ order, call: [method, message] });
    // Retried delivery: the same message again, later.
    if (chance(0.04)) calls.push({ order: order + rnd() * 600_000, call: [method, { ...message }] });
  };
  const browse = (ids: { anonymousId?: string; userId?: string }, start: number, n: number): number => {
    let at = start;
    for (let i = 0; i < n; i += 1) {
      at = after(at);
      const path = pick(PAGES);
      if (chance(0.55))
        emit(
          "page",
          {
            ...ids,
            name: path,
            properties: { path, title: "Ünïcode — “quotes” 'single' \\ back" },
            context: touch(path),
          },
          at,
        );
      else if (chance(0.1)) emit("screen", { ...ids, name: "Home", properties: {}, context: touch(path) }, at);
      else
        emit(
          "track",
          {
            ...ids,
            event: pick(EVENTS),
            properties: { value: Math.floor(rnd() * 100), note: "a \"quoted\" 'value' ✓" },
            context: touch(path),
          },
          at,
        );
    }
    return at;
  };

  for (let j = 0; j < count; j += 1) {
    clock = T0 + Math.floor(rnd() * 30 * 86_400_000);
    const kind = rnd();
    const device = newId("anon");
    // A few numeric user ids: the client sends them as strings.
    const user = chance(0.05) ? (seed % 100_000) * 100_000 + j : newId("user");
    let at = browse({ anonymousId: device }, clock, 1 + Math.floor(rnd() * 4));
    if (kind < 0.2) continue; // anonymous-only visitor
    if (kind < 0.45) {
      // one device: identify, then known events (with and without the anonymous id)
      at = after(at);
      emit(
        "identify",
        {
          userId: user,
          anonymousId: device,
          traits: { email: `u${j}@example.com`, name: 'Zoë "Z" O\'Neil' },
          context: touch("/signup"),
        },
        at,
      );
      at = browse(
        chance(0.5) ? { userId: String(user), anonymousId: device } : { userId: String(user) },
        at,
        Math.floor(rnd() * 4),
      );
      if (chance(0.3)) browse({ anonymousId: device }, at, 1 + Math.floor(rnd() * 2)); // after logout, same browser
      if (chance(0.1))
        emit(
          "group",
          { userId: user, anonymousId: device, groupId: `org-${j % 50}`, traits: { plan: "pro" } },
          after(at),
        );
    } else if (kind < 0.65) {
      // several devices, each identified
      const devices = [device, newId("anon"), ...(chance(0.3) ? [newId("anon")] : [])];
      for (const [i, d] of devices.entries()) {
        let t =
          i === 0 ? at : browse({ anonymousId: d }, clock + Math.floor(rnd() * 86_400_000), Math.floor(rnd() * 3));
        t = after(t);
        emit("identify", { userId: user, anonymousId: d, traits: {} }, t);
        browse({ userId: String(user), anonymousId: d }, t, Math.floor(rnd() * 3));
      }
    } else if (kind < 0.8) {
      // alias: the anonymous id aliased to the user (no identify); sometimes an old user id too
      at = after(at);
      emit("alias", { userId: user, previousId: device }, at);
      at = browse({ userId: String(user) }, at, 1 + Math.floor(rnd() * 3));
      if (chance(0.4)) {
        const renamed = newId("user");
        browse({ userId: String(user), anonymousId: newId("anon") }, at, 1);
        emit("alias", { userId: renamed, previousId: user, anonymousId: device }, after(at));
        browse({ userId: renamed }, after(at), 1 + Math.floor(rnd() * 2));
      }
    } else {
      // a shared browser: one user signs in, signs out, another signs in on the same device
      const other = newId("user");
      at = after(at);
      emit("identify", { userId: user, anonymousId: device, traits: {} }, at);
      at = browse({ userId: String(user), anonymousId: device }, at, 1 + Math.floor(rnd() * 2));
      at = browse({ anonymousId: device }, at, Math.floor(rnd() * 2));
      at = after(at);
      emit("identify", { userId: other, anonymousId: device, traits: {} }, at);
      at = browse({ userId: other, anonymousId: device }, at, 1 + Math.floor(rnd() * 2));
      if (chance(0.5)) browse({ anonymousId: device }, at, 1);
      if (chance(0.4)) {
        const own = newId("anon");
        const t = browse({ anonymousId: own }, clock - 86_400_000, 1 + Math.floor(rnd() * 2));
        emit("identify", { userId: other, anonymousId: own, traits: {} }, after(t));
      }
    }
  }
  // Stable sort: equal keys keep generation order.
  return calls.sort((a, b) => a.order - b.order).map(({ call }) => call);
}
