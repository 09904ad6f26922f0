import type { Callback, DropEvent } from "./types.js";

type EarlyReason = "consent" | "before_send";

/**
 * Drops decided before a message is queued (consent, `beforeSend`), reported as `drop`
 * events on the next microtask (a throwing listener then cannot reach the caller),
 * coalesced per reason. Their callbacks fire without an error: nothing went wrong.
 */
export class EarlyDrops {
  private pending: Map<EarlyReason, { ids: string[]; count: number; callbacks: Callback[] }> | undefined;

  constructor(private readonly emit: (event: DropEvent) => void) {}

  add(reason: EarlyReason, messageId: string | undefined, callback: Callback | undefined): void {
    if (this.pending === undefined) {
      this.pending = new Map();
      queueMicrotask(this.report);
    }
    let entry = this.pending.get(reason);
    if (entry === undefined) this.pending.set(reason, (entry = { ids: [], count: 0, callbacks: [] }));
    entry.count++;
    if (messageId !== undefined) entry.ids.push(messageId);
    if (callback !== undefined) entry.callbacks.push(callback);
  }

  private readonly report = (): void => {
    const pending = this.pending;
    this.pending = undefined;
    if (pending === undefined) return;
    for (const [reason, { ids, count, callbacks }] of pending) {
      for (const callback of callbacks) {
        try {
          callback();
        } catch {
          // A throwing callback must not keep the others or the event from running.
        }
      }
      this.emit({ count, messageIds: ids, reason });
    }
  };
}

/**
 * How the identity layer, which never imports the client, asks a threadline client to
 * report a call it did not send for consent. A tracker without it (someone else's
 * client) just has the call's callback fire.
 */
export const REPORT_DROP = Symbol.for("threadline.reportDrop");

export interface DropReporter {
  [REPORT_DROP](reason: EarlyReason, messageId: string | undefined, callback: Callback | undefined): void;
}
