/**
 * The documents' cache, as a Prisma client extension (`client.$extends(documentCache(...))`, which `db.documents()`
 * applies when the cache is on): `findUnique` and `findFirst` whose `where` is exactly `{ id }` are answered from
 * the same keyv store as the vector answers, with the same keys, generations, single flight and fail-open; every
 * write to a model (create, update, upsert, delete and their Many forms) replaces that model's generation.
 */
import type { Cache } from './cache.js';
import { entryKey, generationKey, stableText } from './cache-keys.js';
import { GARBLED } from './cached-value.js';
import { decodeDocument, encodeDocument } from './document-value.js';

const READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow']);
const WRITES = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany']);

/** What Prisma passes a model's query extension (its ModelQueryOptionsCbArgs, whose args type is Prisma's). */
export interface QueryCall<A extends object> {
  model: string;
  operation: string;
  args: A;
  query: (args: A) => Promise<unknown>;
}

const byIdOnly = (args: unknown) => {
  const where = (args as { where?: unknown } | undefined)?.where;
  return typeof where === 'object' && where !== null && Object.keys(where).length === 1 && 'id' in where && (where as { id: unknown }).id !== undefined;
};

/** What the extension does with one Prisma operation. */
export function cachedDocumentQuery(cache: Cache) {
  return async <A extends object>({ model, operation, args, query }: QueryCall<A>): Promise<unknown> => {
    const scope = { collection: `document:${model}` };
    const generationKeys = [generationKey(cache.namespace, scope.collection)];
    if (WRITES.has(operation)) {
      try {
        return await query(args);
      } finally {
        await cache.invalidate(generationKeys);
      }
    }
    // The *OrThrow forms throw on null: only a found document is stored, and their throw stays Prisma's.
    if (!READS.has(operation) || !byIdOnly(args)) return query(args);
    const key = entryKey(cache.namespace, scope, operation.replace(/OrThrow$/, ''), stableText(args));
    const value = await cache.shared(key, generationKeys, async () => {
      const found = await cache.lookup(generationKeys, key);
      if (!found) return query(args);
      if (found.entry !== undefined) {
        const cached = decodeDocument(found.entry, found.generations);
        if (cached === GARBLED) cache.garbled();
        else if (cached !== undefined && !(cached === null && operation.endsWith('OrThrow'))) {
          cache.hit();
          return cached;
        }
      }
      cache.miss();
      const result = await query(args);
      cache.set(key, encodeDocument(result, found.generations));
      return result;
    });
    return structuredClone(value);
  };
}

/** The extension object for `client.$extends(...)`. */
export function documentCache(cache: Cache) {
  const run = cachedDocumentQuery(cache);
  return { name: 'polystore-cache', query: { $allModels: { $allOperations: run } } };
}

/** The client, extended with the cache when there is one (the extension changes no types: only where answers come from). */
export function withDocumentCache<C extends object>(client: C, cache: Cache | undefined): C {
  const extend = (client as { $extends?: unknown }).$extends;
  if (!cache || typeof extend !== 'function') return client;
  return (extend as (extension: unknown) => C).call(client, documentCache(cache));
}
