/**
 * The newest `capacity` items, oldest first, and a count of the older ones pushed out.
 * A fixed array written round, so a flood of pushes costs no allocation per item beyond
 * the item itself and memory stays at `capacity` items.
 */
export class Ring<T> {
  private readonly slots: Array<T | undefined>;
  private next = 0;
  private size = 0;
  /** Items pushed out (or never kept, with capacity 0) since the last clear. */
  dropped = 0;

  constructor(readonly capacity: number) {
    this.slots = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.size;
  }

  push(item: T): void {
    if (this.capacity === 0) {
      this.dropped += 1;
      return;
    }
    if (this.size === this.capacity) this.dropped += 1;
    else this.size += 1;
    this.slots[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  /** Counts `n` items that were never kept (known to be pushed out at once). */
  countDropped(n: number): void {
    this.dropped += n;
  }

  /** The kept items, oldest first (a copy). */
  toArray(): T[] {
    const start = (this.next - this.size + this.capacity) % Math.max(this.capacity, 1);
    const items: T[] = [];
    for (let i = 0; i < this.size; i += 1) items.push(this.slots[(start + i) % this.capacity] as T);
    return items;
  }

  clear(): void {
    this.slots.fill(undefined);
    this.next = 0;
    this.size = 0;
    this.dropped = 0;
  }
}
