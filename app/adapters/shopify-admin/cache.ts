// A small in-memory TTL cache. Recommendation inputs change rarely but one order's follow-ups,
// and many orders for the same best seller, ask for them again within minutes.

export const DEFAULT_CACHE_TTL_MS = 5 * 60_000;
export const DEFAULT_CACHE_MAX_ENTRIES = 1_000;

export interface TtlCacheOptions {
  ttlMs?: number;
  maxEntries?: number;
  now?: () => number;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  readonly ttlMs: number;
  readonly maxEntries: number;
  private readonly now: () => number;

  constructor({ ttlMs = DEFAULT_CACHE_TTL_MS, maxEntries = DEFAULT_CACHE_MAX_ENTRIES, now = Date.now }: TtlCacheOptions = {}) {
    // 0 turns the cache off (RECOMMENDATION_CACHE_MS=0): every read asks again.
    if (!(ttlMs >= 0)) throw new Error(`TtlCache ttlMs must be 0 (off) or more, got ${ttlMs}.`);
    if (!(maxEntries >= 1)) throw new Error(`TtlCache maxEntries must be at least 1, got ${maxEntries}.`);
    this.ttlMs = ttlMs;
    this.maxEntries = Math.floor(maxEntries);
    this.now = now;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    // Map keeps insertion order: re-inserting makes this the most recently used entry.
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  set(key: string, value: V, ttlMs = this.ttlMs): void {
    this.entries.delete(key);
    if (!(ttlMs > 0)) return;
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  delete(key: string): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  // Entries not yet evicted, expired ones included until they are next read.
  get size(): number {
    return this.entries.size;
  }
}
