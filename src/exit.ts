/** How long `beforeExit` keeps a process alive to deliver what a script left queued. */
export const EXIT_DRAIN_MS = 10_000;

interface Drainable {
  readonly held: number;
  drainBeforeExit(deadlineMs: number): void;
}

// Only clients that hold messages are tracked, so idle or forgotten clients can be
// garbage collected; one process listener serves them all.
const active = new Set<Drainable>();
let listening = false;

function onBeforeExit(): void {
  for (const client of active) {
    if (client.held === 0) active.delete(client);
    else client.drainBeforeExit(EXIT_DRAIN_MS);
  }
}

/** Called when a client starts holding messages. */
export function watchForExit(client: Drainable): void {
  active.add(client);
  if (!listening) {
    listening = true;
    process.on("beforeExit", onBeforeExit);
  }
}

/** Called when a client holds nothing any more. */
export function unwatchForExit(client: Drainable): void {
  active.delete(client);
}
