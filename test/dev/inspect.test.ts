import { describe, expect, it } from "vitest";
import { setTimeout as sleep } from "node:timers/promises";
import { collector, get, message, post } from "./helpers.js";

const ids = (answer: { body: { events: Array<{ messageId: string }> } }): string[] =>
  answer.body.events.map((event) => event.messageId);

describe("GET /dev/events", () => {
  it("filters by anonymousId, userId, type and since, combined with AND, in arrival order", async () => {
    const { url } = await collector();
    const early = [
      message("page", { anonymousId: "a1", messageId: "e1" }),
      message("track", { anonymousId: "a1", messageId: "e2" }),
      message("identify", { anonymousId: "a1", userId: "u1", messageId: "e3" }),
    ];
    await post(`${url}/v1/batch`, { batch: early });
    await sleep(15);
    const cut = new Date().toISOString();
    await sleep(15);
    const late = [
      message("track", { anonymousId: "a1", userId: "u1", messageId: "e4" }),
      message("track", { anonymousId: "a2", messageId: "e5" }),
      message("page", { userId: 7, messageId: "e6" }),
    ];
    await post(`${url}/v1/batch`, { batch: late });

    expect(ids(await get(`${url}/dev/events`))).toEqual(["e1", "e2", "e3", "e4", "e5", "e6"]);
    expect(ids(await get(`${url}/dev/events?anonymousId=a1`))).toEqual(["e1", "e2", "e3", "e4"]);
    expect(ids(await get(`${url}/dev/events?userId=u1`))).toEqual(["e3", "e4"]);
    // A numeric id matches its string form, as the client sends numbers as strings.
    expect(ids(await get(`${url}/dev/events?userId=7`))).toEqual(["e6"]);
    expect(ids(await get(`${url}/dev/events?type=track`))).toEqual(["e2", "e4", "e5"]);
    expect(ids(await get(`${url}/dev/events?since=${encodeURIComponent(cut)}`))).toEqual(["e4", "e5", "e6"]);
    expect(ids(await get(`${url}/dev/events?type=track&anonymousId=a1`))).toEqual(["e2", "e4"]);
    expect(ids(await get(`${url}/dev/events?type=track&anonymousId=a1&since=${encodeURIComponent(cut)}`))).toEqual([
      "e4",
    ]);
    expect(ids(await get(`${url}/dev/events?type=alias`))).toEqual([]);
    // limit keeps the newest matches.
    expect(ids(await get(`${url}/dev/events?limit=2`))).toEqual(["e5", "e6"]);
    expect(ids(await get(`${url}/dev/events?anonymousId=a1&limit=3`))).toEqual(["e2", "e3", "e4"]);
  });

  it("refuses a since that is not a time and a limit that is not a count", async () => {
    const { url } = await collector();
    for (const query of ["since=last-tuesday", "limit=0", "limit=ten"]) {
      const answer = await get(`${url}/dev/events?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.body.error.code).toBe("invalid_query");
    }
  });

  it("finds a user whose id needs escaping in the path", async () => {
    const { url } = await collector();
    const userId = "team/ä lice?#1";
    await post(`${url}/v1/batch`, { batch: [message("identify", { userId, anonymousId: "a" })] });
    const answer = await get(`${url}/dev/users/${encodeURIComponent(userId)}`);
    expect(answer.status).toBe(200);
    expect(answer.body.userId).toBe(userId);
    expect((await get(`${url}/dev/users/%E0%A4%A`)).status).toBe(400);
  });

  it("answers unknown paths with a JSON 404", async () => {
    const { url } = await collector();
    for (const path of ["/dev/nope", "/elsewhere"]) {
      const answer = await get(`${url}${path}`);
      expect(answer.status).toBe(404);
      expect(answer.body.error.code).toBe("not_found");
    }
  });
});
