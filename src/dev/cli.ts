#!/usr/bin/env node
import { isThreadlineError } from "../errors.js";
import { parseCliArgs, USAGE, UsageError } from "./cli-args.js";
import { startCollector } from "./server.js";

/** `threadline dev`: the URL alone on stdout (so scripts can read it), everything else on stderr. */
async function main(): Promise<void> {
  if (process.argv[2] === "export") {
    // Loaded only for this command: the database clients stay out of `threadline dev`.
    const { runExport } = await import("./export/cli.js");
    process.exitCode = await runExport(process.argv.slice(3));
    return;
  }
  let parsed: ReturnType<typeof parseCliArgs>;
  try {
    parsed = parseCliArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`threadline: ${error.message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (parsed.help) {
    process.stdout.write(USAGE);
    return;
  }
  const collector = await startCollector(parsed.options);
  process.stdout.write(`${collector.url}\n`);
  if (!parsed.options.quiet) {
    process.stderr.write(
      `threadline dev: page ${collector.url}/ · send to ${collector.url}/v1/batch · Ctrl+C to stop\n`,
    );
  }
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // If something still holds the loop after close, leave anyway rather than hang a script.
    setTimeout(() => process.exit(0), 2000).unref();
    void collector.close().then(() => {
      process.exitCode = 0;
    });
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  const message = isThreadlineError(error) || error instanceof Error ? error.message : String(error);
  process.stderr.write(`threadline dev: ${message}\n`);
  process.exitCode = 1;
});
