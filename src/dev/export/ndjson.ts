import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { ThreadlineError } from "../../errors.js";

export type Line = { line: number; value: unknown } | { line: number; reason: string };

/**
 * The collector's file one line at a time (it may hold millions): each line parsed, or why
 * not. A torn last line (the collector was writing when the file was copied) is one such line.
 */
export async function* readLines(file: string): AsyncGenerator<Line> {
  const stream = createReadStream(file, { encoding: "utf8" });
  // Opening errors (no such file) surface here, as ours, instead of from inside readline.
  await new Promise<void>((resolve, reject) => {
    stream.once("ready", () => resolve());
    stream.once("error", (error) =>
      reject(new ThreadlineError("export_failed", `cannot read ${file}: ${error.message}`, { cause: error })),
    );
  });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let number = 0;
  for await (const text of lines) {
    number += 1;
    if (text.trim() === "") continue;
    try {
      yield { line: number, value: JSON.parse(text) };
    } catch {
      yield { line: number, reason: "not JSON (a torn or corrupt line)" };
    }
  }
}
