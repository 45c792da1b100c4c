/** The cache a facade opens from `createPolystore({ cache })`, and what `db.cache` offers of it. */
import { PolystoreError } from '../errors.js';
import type { Cache, CacheStats } from './cache.js';
import { guardedCache } from './cache.js';
import { generationKey } from './cache-keys.js';
import { type CacheOptions, resolveCacheSettings } from './cache-options.js';
import { memoryBackend } from './memory-backend.js';
import { redisBackend } from './redis-backend.js';

/** undefined when the cache is off. Nothing connects before the first cached call. */
export function openCache(options: CacheOptions | undefined): Cache | undefined {
  const settings = resolveCacheSettings(options);
  if (!settings) return undefined;
  return guardedCache(settings.redis ? redisBackend(settings.redis, settings) : memoryBackend(settings), settings);
}

const OFF: CacheStats = { store: 'off', hits: 0, misses: 0, errors: 0, bypassed: 0, breaker: 'closed', pendingInvalidations: 0 };

export interface CacheControl<Collection extends string = string> {
  /** Hits, misses, errors, bypassed calls and the breaker's state (`store: 'off'` without a cache). */
  stats(): CacheStats;
  /** Makes every cached answer of the collection (without one: every answer, documents too) unreachable, in every process sharing the cache. */
  clear(collection?: Collection): Promise<void>;
}

export function cacheControl(cache: Cache | undefined, collections: readonly string[]): CacheControl {
  return {
    stats: () => cache?.stats() ?? { ...OFF },
    async clear(collection) {
      if (collection !== undefined && !collections.includes(collection)) {
        throw new PolystoreError('UNKNOWN_COLLECTION', `cache.clear: no vector collection ${JSON.stringify(collection)} (have ${collections.join(', ') || 'none'})`);
      }
      await cache?.invalidate([generationKey(cache.namespace, collection)]);
    },
  };
}
