/**
 * The cache as a layer around a backend store, below the checks (its keys are of checked requests): searches, gets
 * and counts answered from the cache when an entry of the current generation is there; every write, whatever its
 * outcome (a failed Milvus write may have landed in part), replaces the generation of its scope, so that no process
 * reads the earlier answers again. Every caller gets objects of its own. `cache: false`, and reads that ask the primary, bypass it.
 * With `cacheReads` false (the stores of `polystore vectors copy`, which verify what they wrote) only writes touch it.
 * With `settling` (a store whose reads may run on a replica), an answer is not stored while a generation it was
 * read under is young: a lagging replica may have answered it without the write that made the generation, and it
 * would then outlive the replica's catch-up until its TTL, in every process.
 */
import { type CacheScope, entryKey, scopeGenerationKeys, stableText } from './cache-keys.js';
import type { Cache } from './cache.js';
import { type CachedOperation, valueDecoder } from './cached-value.js';
import { GARBLED, seal } from './sealed-entry.js';
import { InvalidInputError } from '../errors.js';
import type { BackendStore } from '../runtime/contract/backend-store.js';
import type { ReadOptions, VectorCollectionDescriptor, VectorRecordBase } from '../runtime/contract/vector-store.js';

/** Reads the cache leaves to the store: `cache: false`, and reads that ask the primary. */
const bypasses = (options: ReadOptions | undefined) => options?.cache === false || options?.consistency === 'primary';

/** What a read asked, without how it is run: `cache` (true and absent ask the same), its signal and timeout. */
const withoutCache = (options: ReadOptions | undefined) => {
  if (options === undefined) return null;
  const { cache: _cache, signal: _signal, timeoutMs: _timeoutMs, ...rest } = options;
  return rest;
};

/**
 * A read other callers may share (cache.shared): sent without the first caller's signal, which would cancel it
 * under them all. That caller still stops waiting at its abort (the checks' abortable()).
 */
const unsignalled = <O extends ReadOptions | undefined>(options: O): O => (options?.signal === undefined ? options : { ...options, signal: undefined });

/** The vector's exact bytes: short to hash, and no two different vectors alike. */
const vectorText = (vector: readonly number[]) => Buffer.from(Float64Array.from(vector).buffer).toString('base64');

export function cachedStore<T extends VectorRecordBase, W>(
  store: BackendStore<T, W>,
  cache: Cache,
  scope: CacheScope,
  descriptor: Pick<VectorCollectionDescriptor, 'fields'>,
  { cacheReads = true, settling, variant }: { cacheReads?: boolean; settling?: ((generations: readonly string[]) => boolean) | undefined; variant?: string | undefined } = {},
): BackendStore<T, W> {
  const generationKeys = scopeGenerationKeys(cache.namespace, scope);
  // A write replaces the narrowest generation its reads are under: the tenant's, else the collection's (every tenant's).
  const written = generationKeys.slice(-1);
  const decode = valueDecoder(descriptor);

  /** One backend request for the generations and the entry; on a miss, the database, and the answer stored under those generations. */
  async function read<R>(operation: CachedOperation, args: unknown, load: () => Promise<R>): Promise<R> {
    // `variant`: the embeddings' generation a store reads; its answers are not another's.
    const key = entryKey(cache.namespace, scope, operation, stableText(variant === undefined ? args : { variant, args }));
    return cache.shared(key, generationKeys, async () => {
      const found = await cache.lookup(generationKeys, key);
      if (!found) return load();
      if (found.entry !== undefined) {
        const value = decode(operation, found.entry, found.generations);
        if (value === GARBLED) cache.garbled();
        else if (value !== undefined) {
          cache.hit();
          return value as R;
        }
      }
      cache.miss();
      const value = await load();
      if (!settling?.(found.generations)) cache.set(key, seal(value, found.generations));
      return value;
    }).then((value) => structuredClone(value));
  }

  // Also after a write that failed once sent: it may have landed, in part. A filter the backend cannot compile (Milvus's UNSUPPORTED_FILTER) changes nothing.
  const writing = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
    try {
      const result = await call(...args);
      await cache.invalidate(written);
      return result;
    } catch (error) {
      if (!(error instanceof InvalidInputError)) await cache.invalidate(written);
      throw error;
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
    search(query, filter) {
      if (bypasses(query)) return store.search(query, filter);
      // A keyword search has no vector.
      const vector = query.vector === undefined ? undefined : vectorText(query.vector);
      return read('search', { ...withoutCache(query), vector }, () => store.search(unsignalled(query), filter));
    },
    get(ids, filter, options) {
      if (bypasses(options)) return store.get(ids, filter, options);
      return read('get', [ids, withoutCache(options)], () => store.get(ids, filter, unsignalled(options)));
    },
    count(filter, options) {
      if (bypasses(options)) return store.count(filter, options);
      return read('count', [filter, withoutCache(options)], () => store.count(filter, unsignalled(options)));
    },
  };
}
