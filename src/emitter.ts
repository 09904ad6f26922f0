import type { AnalyticsEvents } from "./types.js";
import { callAppCode } from "./warn.js";

type Listener<K extends keyof AnalyticsEvents> = (payload: AnalyticsEvents[K]) => void;
type AnyListener = (payload: unknown) => void;

/**
 * A small typed emitter: unlike node:events, an unheard `error` never throws, and a
 * listener that throws (or rejects) is reported on stderr without stopping the others
 * or whatever emitted (a retry, a flush waiting for its counts).
 */
export class TypedEmitter {
  // Loosely typed inside; the public methods keep each event's payload type.
  private readonly listeners = new Map<keyof AnalyticsEvents, AnyListener[]>();

  on<K extends keyof AnalyticsEvents>(event: K, listener: Listener<K>): this {
    const list = this.listeners.get(event);
    if (list) list.push(listener as AnyListener);
    else this.listeners.set(event, [listener as AnyListener]);
    return this;
  }

  once<K extends keyof AnalyticsEvents>(event: K, listener: Listener<K>): this {
    const wrapper: Listener<K> = (payload) => {
      this.off(event, wrapper);
      listener(payload);
    };
    return this.on(event, wrapper);
  }

  off<K extends keyof AnalyticsEvents>(event: K, listener: Listener<K>): this {
    const list = this.listeners.get(event);
    const index = list ? list.indexOf(listener as AnyListener) : -1;
    if (index >= 0) list!.splice(index, 1);
    return this;
  }

  listenerCount(event: keyof AnalyticsEvents): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  protected emit<K extends keyof AnalyticsEvents>(event: K, payload: AnalyticsEvents[K]): void {
    const list = this.listeners.get(event);
    if (!list || list.length === 0) return;
    for (const listener of list.slice()) callAppCode(`a listener for "${event}"`, listener, payload);
  }
}
