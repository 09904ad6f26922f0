// threadline with the durable spool on: the threadline row's options plus `spool` in a
// fresh temporary directory (removed after the run), so the two rows differ only in it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { entry } from "./threadline.mjs";
import { EVENT, WRITE_KEY, userIdFor, propertiesFor } from "../lib/workload.mjs";

export const config = "the threadline row's options plus `spool: <fresh temp dir>` (maxBytes 256 MiB default).";

export async function create({ host }) {
  const { Analytics } = await import(pathToFileURL(entry).href);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "threadline-bench-spool-"));
  const analytics = new Analytics({ host, writeKey: WRITE_KEY, maxQueueSize: 200000, spool: dir });
  let errors = 0;
  analytics.on("error", () => {
    errors++;
  });
  return {
    track(i) {
      analytics.track({ event: EVENT, userId: userIdFor(i), properties: propertiesFor(i) });
    },
    async finish() {
      const result = await analytics.flush();
      await analytics.close({ timeoutMs: 10000 });
      const left = fs.readdirSync(dir).length;
      fs.rmSync(dir, { recursive: true, force: true });
      return { errors, flushResult: result, filesLeft: left };
    },
  };
}
