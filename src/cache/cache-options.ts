/** `createPolystore({ cache })`: off by default; `true` is the bounded in-process memory store; `{ redis }` shares one across processes. */
export interface CacheSettings {
  /** `redis://` or `rediss://` URL: entries and generations in Redis (through @keyv/redis), shared by every process using it. */
  redis?: string | undefined;
  /** How long an entry lives, in seconds (default 300): also the longest a stale answer can live when Redis missed an invalidation. */
  ttlSeconds?: number | undefined;
  /** Prefix of every key (default "polystore"): one per application sharing a Redis. */
  namespace?: string | undefined;
  /** In memory: most entries kept, least recently used evicted first (default 10,000). */
  maxEntries?: number | undefined;
  /** In memory: most bytes of entries kept (default 64 MiB). */
  maxBytes?: number | undefined;
  /** Redis: gives up on one request after this long, in milliseconds (default 50); the call goes to the database. */
  timeoutMs?: number | undefined;
}

export type CacheOptions = boolean | CacheSettings;

export const CACHE_DEFAULTS = { ttlSeconds: 300, namespace: 'polystore', maxEntries: 10_000, maxBytes: 64 * 2 ** 20, timeoutMs: 50 } as const;

export type ResolvedCacheSettings = Required<Omit<CacheSettings, 'redis'>> & { redis?: string | undefined };

/** undefined when the cache is off. */
export function resolveCacheSettings(options: CacheOptions | undefined): ResolvedCacheSettings | undefined {
  if (options === undefined || options === false) return undefined;
  const given = options === true ? {} : Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  return { ...CACHE_DEFAULTS, ...given };
}
