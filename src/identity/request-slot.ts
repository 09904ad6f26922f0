/**
 * A value kept for one Express request, beside its `req` and `res` rather than on them.
 *
 * Where: on `res.locals`, Express's own per-request object (created before any
 * middleware runs, a null-prototype dictionary), under a global symbol, so an ESM and a
 * CommonJS copy of threadline find each other's. It is enumerable on purpose: an app that
 * rebuilds its locals by spreading (`res.locals = { ...res.locals, user }`) or
 * `Object.assign` keeps it; template engines and `JSON.stringify` never see symbol keys.
 *
 * Why not elsewhere, measured (bench/SCOPE.md):
 * - a property on `req` or `res`: Express re-prototypes both, and on Node 20 and 22 each
 *   property then added costs ~4 µs (V8 keeps no transition for it);
 * - a WeakMap entry: each is an ephemeron the GC must trace; on Node 24 a first visit's
 *   entries cost +20 µs a request on an awaiting route, more than the whole middleware.
 *
 * A response without `locals` (not Express's, or an app that replaced them with an object
 * that cannot take properties) falls back to a WeakMap.
 */
type Locals = Record<symbol, unknown>;

function localsOf(res: object | undefined): Locals | undefined {
  const locals = (res as { locals?: unknown } | undefined)?.locals;
  return typeof locals === "object" && locals !== null ? (locals as Locals) : undefined;
}

export class RequestSlot<V> {
  /**
   * @param key the symbol the value goes under on `res.locals`
   * @param fallback where it goes for a response without usable locals (pass a shared map
   * to share it between copies of this module)
   */
  constructor(
    private readonly key: symbol,
    private readonly fallback: WeakMap<object, V> = new WeakMap(),
  ) {}

  /** The value kept for the request whose response is `res` (`owner` keys the fallback). */
  get(res: object | undefined, owner: object): V | undefined {
    const value = localsOf(res)?.[this.key] as V | undefined;
    return value !== undefined ? value : this.fallback.get(owner);
  }

  set(res: object | undefined, owner: object, value: V): void {
    const locals = localsOf(res);
    if (locals !== undefined && Object.isExtensible(locals)) locals[this.key] = value;
    else this.fallback.set(owner, value);
  }
}
