// Hundreds of requests interleaving over timers, promise chains and streamed bodies must
// never see each other's ids: every module-level track carries its own request's id.
import { Agent } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { send } from "../identity/helpers/http.js";
import type { RunningApp } from "../identity/helpers/frameworks.js";
import { startDevCollector, type DevCollector } from "./helpers/dev-collector.js";
import { startScopedApp, type ScopedFramework } from "./helpers/apps.js";
import { postStreamed } from "./helpers/streamed.js";

const CONCURRENT = 500;
const ISOLATION_FRAMEWORKS: ScopedFramework[] = ["express5", "koa3", "fastify5", "hono", "fetch"];

let collector: DevCollector;
beforeAll(async () => {
  collector = await startDevCollector();
});
afterAll(() => collector?.close());

describe.each(ISOLATION_FRAMEWORKS)("%s", (framework) => {
  let app: RunningApp;
  beforeAll(async () => {
    app = await startScopedApp(framework);
  });
  afterAll(() => app?.close());

  test(`${CONCURRENT} concurrent requests with distinct cookies: every event carries its own request's id, none crossed, none missing`, async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENT });
    try {
      const replies = await Promise.all(
        Array.from({ length: CONCURRENT }, (_, i) => {
          const tag = `${framework}-${i}`;
          return postStreamed(
            `${app.url}/iso?tag=${tag}`,
            `other=x; aid=visitor-${tag}`,
            ["a".repeat(10), "b".repeat(20), "c".repeat(30)],
            agent,
          );
        }),
      );
      expect(replies.every((reply) => reply.status === 200)).toBe(true);
    } finally {
      agent.destroy();
    }
    type Props = { tag: string; bytes: number };
    const events = (await collector.events())
      .filter((e) => e.event === "Isolated")
      .map((e) => ({ anonymousId: e.anonymousId, properties: e.properties as Props }))
      .filter((e) => e.properties.tag.startsWith(`${framework}-`));
    expect(events).toHaveLength(CONCURRENT);
    const crossed = events.filter((e) => e.anonymousId !== `visitor-${String(e.properties.tag)}`);
    expect(crossed).toEqual([]);
    expect(new Set(events.map((e) => e.properties.tag)).size).toBe(CONCURRENT);
    expect(events.every((e) => e.properties.bytes === 60)).toBe(true);
  });

  test("an identify binds userId for the rest of its request, and not for the next one", async () => {
    const cookie = `aid=binding-${framework}`;
    await send(`${app.url}/bind?user=bound-${framework}`, { headers: { cookie } });
    await send(`${app.url}/bind`, { headers: { cookie } });
    const events = (await collector.events()).filter((e) => e.anonymousId === `binding-${framework}`);
    expect(events.map((e) => [e.type, e.event ?? null, e.userId ?? null])).toEqual([
      ["identify", null, `bound-${framework}`],
      ["track", "After Identify", `bound-${framework}`],
      ["track", "After Identify", null],
    ]);
  });
});
