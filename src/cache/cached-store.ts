/**
 * The cache as a layer around a backend store: searches, gets and counts answered from the cache when an entry
 * of the current generation is there; every write, whatever its outcome (a failed Milvus write may have landed in
 * part), replaces the generation of its scope, so that no process reads the earlier answers again. Identical reads
 * in flight in this process share one database query. `cache: false`, and reads that ask the primary, bypass it.
 * With `cacheReads` false (the stores of `polystore vectors copy`, which verify what they wrote) only writes touch it.
 */
import { isPlainObject } from '../runtime/validate.js';
import type { BackendStore, ReadOptions, VectorCollectionDescriptor, VectorRecordBase } from '../runtime/vector-store.js';
import type { Cache } from './cache.js';
import { type CacheScope, entryKey, scopeGenerationKeys, stableText } from './cache-keys.js';
import { type CachedOperation, encodeValue, valueDecoder } from './cached-value.js';

/**
 * Reads the cache leaves to the store: `cache: false`, reads that ask the primary, and options that are not a plain
 * object (the store refuses them).
 */
const bypasses = (options: unknown) => options !== undefined && (!isPlainObject(options) || (options as ReadOptions).cache === false || (options as ReadOptions).consistency === 'primary');

/** What a read asked, without `cache` (true and absent ask the same). */
const withoutCache = (options: ReadOptions | undefined) => {
  if (options === undefined) return null;
  const { cache: _cache, ...rest } = options;
  return rest;
};

/** The vector's exact bytes: short to hash, and no two different vectors alike. */
const vectorText = (vector: unknown) => (Array.isArray(vector) && vector.every((x) => typeof x === 'number') ? Buffer.from(Float64Array.from(vector).buffer).toString('base64') : undefined);

export function cachedStore<T extends VectorRecordBase, W>(
  store: BackendStore<T, W>,
  cache: Cache,
  scope: CacheScope,
  descriptor: Pick<VectorCollectionDescriptor, 'fields'>,
  cacheReads = true,
): BackendStore<T, W> {
  const generationKeys = scopeGenerationKeys(cache.namespace, scope);
  // A write replaces the narrowest generation its reads are under: the tenant's, else the collection's (every tenant's).
  const written = generationKeys.slice(-1);
  const decode = valueDecoder(descriptor);
  const inFlight = new Map<string, Promise<string>>();

  async function lookup(key: string, operation: CachedOperation, load: () => Promise<unknown>): Promise<string> {
    const cached = await cache.get(key);
    if (cached !== undefined) {
      if (decode(operation, cached) !== undefined) {
        cache.hit();
        return cached;
      }
      cache.garbled();
    }
    cache.miss();
    const text = encodeValue(await load());
    cache.set(key, text);
    return text;
  }

  async function read<R>(operation: CachedOperation, argsText: string | undefined, load: () => Promise<R>): Promise<R> {
    const generations = argsText === undefined ? undefined : await cache.generations(generationKeys);
    if (!generations || argsText === undefined) return load();
    const key = entryKey(cache.namespace, scope, generations, operation, argsText);
    let flight = inFlight.get(key);
    if (!flight) {
      flight = lookup(key, operation, load);
      inFlight.set(key, flight);
      const done = () => void inFlight.delete(key);
      flight.then(done, done);
    }
    return decode(operation, await flight) as R;
  }

  /** The arguments as stable text; undefined for input that is no query (the store refuses it, uncached). */
  const argsOf = (args: unknown) => {
    try {
      return stableText(args);
    } catch {
      return undefined;
    }
  };

  const writing = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      return await call(...args);
    } finally {
      await cache.invalidate(written);
    }
  };
  const writes = {
    insert: writing(store.insert),
    upsert: writing(store.upsert),
    update: writing(store.update),
    delete: writing(store.delete),
  };
  if (!cacheReads) return { ...store, ...writes };

  return {
    ...store,
    ...writes,
    search(query) {
      if (bypasses(query) || query === undefined) return store.search(query);
      const vector = vectorText(query.vector);
      return read('search', vector === undefined ? undefined : argsOf({ ...withoutCache(query), vector }), () => store.search(query));
    },
    get(ids, options) {
      if (bypasses(options)) return store.get(ids, options);
      return read('get', argsOf([ids, withoutCache(options)]), () => store.get(ids, options));
    },
    count(where, options) {
      if (bypasses(options)) return store.count(where, options);
      return read('count', argsOf([where ?? null, withoutCache(options)]), () => store.count(where, options));
    },
  };
}
