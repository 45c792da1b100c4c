/**
 * The documents' cache, as a Prisma client extension (`client.$extends(documentCache(...))`, which `db.documents()`
 * applies when the cache is on): `findUnique` and `findFirst` whose `where` is exactly `{ id }` are answered from
 * the same keyv store as the vector answers, with the same keys, generations, single flight and fail-open; every
 * write to a model (create, update, upsert, delete and their Many forms) replaces that model's generation. Inside
 * an interactive `$transaction` a write invalidates before the commit: see the README.
 */
import type { Cache } from './cache.js';
import { type QueryCall, queryExtension, withExtension } from '../runtime/mongodb/documents.js';
import { entryKey, scopeGenerationKeys, stableText } from './cache-keys.js';
import { GARBLED } from './sealed-entry.js';
import { decodeDocument, encodeDocument } from './document-value.js';

const READS = new Set(['findUnique', 'findUniqueOrThrow', 'findFirst', 'findFirstOrThrow']);
const WRITES = new Set(['create', 'createMany', 'createManyAndReturn', 'update', 'updateMany', 'updateManyAndReturn', 'upsert', 'delete', 'deleteMany']);


/**
 * `where: { id }` and no related records: an `include`, or a `select` of a relation (an object), would be answers
 * that writes to other models change.
 */
const byIdOnly = (args: object) => {
  const { where, include, select } = args as { where?: unknown; include?: unknown; select?: unknown };
  const selectsRelation = typeof select === 'object' && select !== null && Object.values(select).some((value) => typeof value === 'object' && value !== null);
  return typeof where === 'object' && where !== null && Object.keys(where).length === 1 && 'id' in where && (where as { id: unknown }).id !== undefined && include === undefined && !selectsRelation;
};

/** What the extension does with one Prisma operation. */
export function cachedDocumentQuery(cache: Cache) {
  return async <A extends object>({ model, operation, args, query }: QueryCall<A>): Promise<unknown> => {
    const scope = { collection: `document:${model}` };
    const generationKeys = scopeGenerationKeys(cache.namespace, scope);
    if (WRITES.has(operation)) {
      try {
        return await query(args);
      } finally {
        await cache.invalidate(generationKeys.slice(-1));
      }
    }
    // The *OrThrow forms throw on null: only a found document is stored, and their throw stays Prisma's.
    if (!READS.has(operation) || !byIdOnly(args)) return query(args);
    let argsText: string;
    try {
      argsText = stableText(args);
    } catch {
      return query(args);
    }
    const key = entryKey(cache.namespace, scope, operation.replace(/OrThrow$/, ''), argsText);
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
export const documentCache = (cache: Cache) => queryExtension('polystore-cache', cachedDocumentQuery(cache));

/** The client, extended with the cache when there is one (the extension changes no types: only where answers come from). */
export function withDocumentCache<C extends object>(client: C, cache: Cache | undefined): C {
  return cache ? withExtension(client, documentCache(cache)) : client;
}
