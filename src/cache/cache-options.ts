import type { CacheOptions, CacheSettings } from '../runtime/contract/options.js';

export type { CacheOptions, CacheSettings };

export const CACHE_DEFAULTS = { ttlSeconds: 300, namespace: 'polystore', maxEntries: 10_000, maxBytes: 64 * 2 ** 20, timeoutMs: 50 } as const;

export type ResolvedCacheSettings = Required<Omit<CacheSettings, 'redis'>> & { redis?: string | undefined };

/** undefined when the cache is off. */
export function resolveCacheSettings(options: CacheOptions | undefined): ResolvedCacheSettings | undefined {
  if (options === undefined || options === false) return undefined;
  const given = options === true ? {} : Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...CACHE_DEFAULTS, ...given };
}
