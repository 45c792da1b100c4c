/**
 * The cache as the stores use it: fail-open. Every backend request goes through a circuit breaker (opossum) with a
 * timeout of tens of milliseconds; a failure, a timeout or an open breaker makes the call read the database, never
 * fail. Invalidations that could not reach the backend are kept and sent again before this process reads any
 * entry: until they land, its reads go to the database.
 */
import CircuitBreaker from 'opossum';
import type { CacheBackend } from './cache-backend.js';
import type { ResolvedCacheSettings } from './cache-options.js';

export interface CacheStats {
  store: 'memory' | 'redis' | 'off';
  hits: number;
  misses: number;
  /** Backend requests that failed or timed out (each call then went to the database). */
  errors: number;
  /** Cached calls that went straight to the database: breaker open, or an invalidation not yet delivered. */
  bypassed: number;
  breaker: 'closed' | 'open' | 'half-open';
  /** Invalidations waiting for the backend. */
  pendingInvalidations: number;
}

export type Cache = ReturnType<typeof guardedCache>;

export function guardedCache(backend: CacheBackend, settings: ResolvedCacheSettings) {
  const counts = { hits: 0, misses: 0, errors: 0, bypassed: 0 };
  const breaker =
    backend.kind === 'redis'
      ? new CircuitBreaker((request: () => Promise<unknown>) => request(), {
          timeout: settings.timeoutMs,
          errorThresholdPercentage: 50,
          volumeThreshold: 4,
          rollingCountTimeout: 10_000,
          resetTimeout: 5_000,
        })
      : undefined;
  // A failure is counted, and the caller reads the database: the breaker's 'failure' covers timeouts too.
  breaker?.on('failure', () => void (counts.errors += 1));
  const fire = <R>(request: () => Promise<R>): Promise<R> => (breaker ? (breaker.fire(request) as Promise<R>) : request());
  const pending = new Set<string>();

  const flush = async (): Promise<boolean> => {
    if (pending.size === 0) return true;
    const keys = [...pending];
    try {
      await fire(() => backend.renew(keys));
      keys.forEach((key) => pending.delete(key));
      return true;
    } catch {
      return false;
    }
  };

  return {
    ttlMs: settings.ttlSeconds * 1_000,
    namespace: settings.namespace,
    /** The generations to read under, or undefined when entries cannot be trusted now: read the database. */
    async generations(keys: readonly string[]): Promise<string[] | undefined> {
      if (!(await flush())) return void (counts.bypassed += 1);
      try {
        return await fire(() => backend.generations(keys));
      } catch {
        counts.bypassed += 1;
        return undefined;
      }
    },
    get: (key: string): Promise<string | undefined> => fire(() => backend.get(key)).catch(() => undefined),
    /** Not awaited by reads: a slow or failed store only costs the next reader a miss. */
    set: (key: string, value: string): void => void fire(() => backend.set(key, value, settings.ttlSeconds * 1_000)).catch(() => undefined),
    /** Never throws: what cannot be delivered now is kept, and blocks this process's cached reads until it is. */
    async invalidate(keys: readonly string[]): Promise<void> {
      keys.forEach((key) => pending.add(key));
      await flush();
    },
    hit: () => void (counts.hits += 1),
    miss: () => void (counts.misses += 1),
    /** A garbled entry: read as a miss. */
    garbled: () => void (counts.errors += 1),
    stats: (): CacheStats => ({
      store: backend.kind,
      ...counts,
      breaker: !breaker || breaker.closed ? 'closed' : breaker.halfOpen ? 'half-open' : 'open',
      pendingInvalidations: pending.size,
    }),
    ping: () => backend.ping(),
    async close(): Promise<void> {
      breaker?.shutdown();
      await backend.close().catch(() => undefined);
    },
  };
}
