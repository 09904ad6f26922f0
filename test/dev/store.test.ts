import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startCollector } from "../../src/dev/index.js";
import { collector, get, message, post, tempDir } from "./helpers.js";

const readLines = (file: string): any[] =>
  readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line));

describe("the NDJSON file", () => {
  it("holds one accepted message per line, with receivedAt, and nothing rejected or duplicated", async () => {
    const { url, dataFile } = await collector();
    const good = message("track", { userId: "u" });
    await post(`${url}/v1/batch`, { batch: [good, message("track", {}), good] });
    const lines = readLines(dataFile);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ ...good });
    expect(Date.parse(lines[0].receivedAt)).toBeGreaterThan(0);
  });

  it("is reloaded on restart: the events come back and a retried batch stays a duplicate", async () => {
    // A nested folder that does not exist yet: the collector creates it.
    const dataFile = join(tempDir(), "nested", "events.ndjson");
    const batch = {
      batch: [message("identify", { userId: "u", anonymousId: "a" }), message("page", { anonymousId: "a" })],
    };
    const first = await startCollector({ port: 0, quiet: true, dataFile });
    await post(`${first.url}/v1/batch`, batch);
    const before = (await get(`${first.url}/dev/events`)).body.events;
    await first.close();

    const second = await collector({ dataFile });
    expect((await get(`${second.url}/dev/events`)).body.events).toEqual(before);
    expect((await post(`${second.url}/v1/batch`, batch)).body).toEqual({ accepted: 0, rejected: 0, duplicates: 2 });
    expect((await get(`${second.url}/dev/users/u`)).body.events).toHaveLength(2);
    expect(readLines(dataFile)).toHaveLength(2);
  });

  it("skips a line cut short by a crash (and any non-message or repeated line), keeping the rest", async () => {
    const dataFile = join(tempDir(), "events.ndjson");
    const kept = { ...message("track", { userId: "u" }), receivedAt: new Date().toISOString() };
    appendFileSync(
      dataFile,
      JSON.stringify(kept) + "\n42\n" + JSON.stringify(kept) + "\n" + '{"type":"track","messageId":"half',
    );
    const { url } = await collector({ dataFile });
    expect((await get(`${url}/dev/events`)).body.events).toEqual([kept]);
  });

  it("is emptied by POST /dev/reset, with events, rejected and seen ids", async () => {
    const { url, dataFile } = await collector();
    const batch = { batch: [message("track", { userId: "u" }), message("track", {})] };
    await post(`${url}/v1/batch`, batch);
    const reset = await post(`${url}/dev/reset`, "");
    expect(reset.status).toBe(200);
    expect(readFileSync(dataFile, "utf8")).toBe("");
    expect((await get(`${url}/dev/events`)).body.events).toEqual([]);
    expect((await get(`${url}/dev/rejected`)).body.rejected).toEqual([]);
    expect((await get(`${url}/dev/users`)).body.users).toEqual([]);
    // Forgotten ids: the same batch is new again.
    expect((await post(`${url}/v1/batch`, batch)).body).toEqual({ accepted: 1, rejected: 1, duplicates: 0 });
    expect((await get(`${url}/dev/reset`)).status).toBe(405);
  });
});

describe("a data folder removed while running", () => {
  it("is made again on the next batch", async () => {
    const dir = tempDir();
    const { url, dataFile } = await collector({ dataFile: join(dir, "sub", "events.ndjson") });
    const { rmSync } = await import("node:fs");
    rmSync(join(dir, "sub"), { recursive: true });
    expect((await post(`${url}/v1/batch`, { batch: [message("track", { userId: "u" })] })).body.accepted).toBe(1);
    expect(readLines(dataFile)).toHaveLength(1);
  });
});
