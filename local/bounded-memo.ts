/**
 * A memo of computed values that never holds more than `limit` entries:
 * when full, the next `set` starts it over. The runtime memoises what its
 * stack fixes (templates, paths, patterns, ARNs), so the bound only matters
 * when a caller sends endless new keys; starting over is then as good as any
 * eviction, and keeps the lookup a bare Map read.
 *
 * The caller looks up, computes on a miss and sets: no callback, so a hit
 * allocates nothing. `undefined` means a miss, so it cannot be stored: store
 * `null` for a cached "nothing".
 */
export class BoundedMemo<K, V extends {} | null> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly limit: number) {}

  get(key: K): V | undefined {
    return this.entries.get(key);
  }

  /** Stores `value` (starting over first when full) and returns it. */
  set(key: K, value: V): V {
    if (this.entries.size >= this.limit) this.entries.clear();
    this.entries.set(key, value);
    return value;
  }

  get size(): number {
    return this.entries.size;
  }
}
