import type { Tracker } from "../../../src/identity/types.js";

export interface Recorded {
  type: keyof Tracker;
  message: Record<string, unknown>;
}

/** A stand-in client for unit tests of the identity core: remembers every call. */
export class RecordingTracker implements Tracker {
  readonly calls: Recorded[] = [];
  identify(message: object): void {
    this.calls.push({ type: "identify", message: message as Record<string, unknown> });
  }
  track(message: object): void {
    this.calls.push({ type: "track", message: message as Record<string, unknown> });
  }
  page(message: object): void {
    this.calls.push({ type: "page", message: message as Record<string, unknown> });
  }
  screen(message: object): void {
    this.calls.push({ type: "screen", message: message as Record<string, unknown> });
  }
  group(message: object): void {
    this.calls.push({ type: "group", message: message as Record<string, unknown> });
  }
  alias(message: object): void {
    this.calls.push({ type: "alias", message: message as Record<string, unknown> });
  }
}
