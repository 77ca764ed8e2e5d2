/**
 * A small map whose entries expire; enough for key lookups, which are few and hot. An entry is fresh for
 * `ttlMs`; with `staleForMs`, it is kept that long after it was stored, for `getStale` to serve when the
 * source of truth cannot be asked.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; storedAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly staleForMs = 0,
  ) {}

  /** The entry while it is fresh. */
  get(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.storedAt + this.ttlMs > now) return entry.value;
    if (entry.storedAt + this.staleForMs <= now) this.entries.delete(key);
    return undefined;
  }

  /** The entry, fresh or not, if it was stored less than `staleForMs` ago. */
  getStale(key: string, now = Date.now()): V | undefined {
    const entry = this.entries.get(key);
    return entry && entry.storedAt + Math.max(this.ttlMs, this.staleForMs) > now ? entry.value : undefined;
  }

  set(key: string, value: V, now = Date.now()): void {
    if (this.ttlMs === 0 && this.staleForMs === 0) return;
    // Re-inserted, so that eviction (oldest insertion first) spares entries in use.
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { value, storedAt: now });
  }

  /** Every value still held, fresh or stale: for changes made in place (a suspension reaching cached lookups). */
  values(): V[] {
    return [...this.entries.values()].map((entry) => entry.value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
