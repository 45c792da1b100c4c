/**
 * `polystore migrate` for the documents: each model's MongoDB collection and indexes, compared with the schema
 * and made to match it. Indexes the schema does not have are reported, never dropped (`prisma db push` drops
 * them). An index whose definition changed is drift: replaced only with `force`. Before anything is built, each
 * unique index to build is checked for duplicates of its key, by value (the error names one); MongoDB's own rules
 * (arrays, a missing field as null) can still fail the build itself, with the same error.
 */
import type { Collection, CreateIndexesOptions, Db, Document } from 'mongodb';
import type { DocumentCollectionState, DocumentsMigrated } from './migration-report.js';
import { PolystoreError } from '../errors.js';
import type { MongoCollectionSpec, MongoIndexSpec } from '../runtime/contract/mongo-spec.js';

interface LiveIndex {
  name: string;
  key: Document;
  unique?: boolean;
  expireAfterSeconds?: number;
  weights?: Document;
  sparse?: boolean;
  partialFilterExpression?: Document;
  collation?: Document;
  hidden?: boolean;
}

/** An index's definition as text, the same for the schema's spec and for MongoDB's listing of it. */
const describeSpec = (spec: MongoIndexSpec) =>
  `${JSON.stringify(spec.key.map(([path, direction]) => `${path}:${direction}`))}${spec.unique ? ' unique' : ''}${spec.expireAfterSeconds !== undefined ? ` ttl ${spec.expireAfterSeconds}s` : ''}`;
function describeLive(index: LiveIndex): string {
  // A text index is listed as { _fts: 'text', _ftsx: 1 } with its fields as weights.
  const key = index.key._fts === 'text' ? Object.keys(index.weights ?? {}).sort().map((path) => `${path}:text`) : Object.entries(index.key).map(([path, direction]) => `${path}:${direction}`);
  // Options the schema never sets change what an index enforces: any of them is a difference.
  const options = ['sparse', 'partialFilterExpression', 'collation', 'hidden'].filter((option) => index[option as keyof LiveIndex] !== undefined && index[option as keyof LiveIndex] !== false);
  return `${JSON.stringify(key)}${index.unique ? ' unique' : ''}${index.expireAfterSeconds !== undefined ? ` ttl ${index.expireAfterSeconds}s` : ''}${options.map((option) => ` ${option}`).join('')}`;
}
const normalized = (spec: MongoIndexSpec) => (spec.key.every(([, direction]) => direction === 'text') ? { ...spec, key: [...spec.key].sort(([a], [b]) => (a < b ? -1 : 1)) } : spec);

export async function inspectDocuments(db: Db, specs: readonly MongoCollectionSpec[]): Promise<DocumentCollectionState[]> {
  const existing = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((collection) => collection.name));
  return Promise.all(
    specs.map(async (spec) => {
      if (!existing.has(spec.collection)) return { collection: spec.collection, state: 'missing' as const, missing: spec.indexes.map((index) => index.name), drifted: [], extra: [] };
      const live = (await db.collection(spec.collection).listIndexes().toArray()) as LiveIndex[];
      const byName = new Map(live.map((index) => [index.name, index]));
      const drifted = spec.indexes.flatMap((index) => {
        const found = byName.get(index.name);
        const [expected, actual] = [describeSpec(normalized(index)), found && describeLive(found)];
        return found && actual !== expected ? [{ index: index.name, expected, found: actual! }] : [];
      });
      const missing = spec.indexes.filter((index) => !byName.has(index.name)).map((index) => index.name);
      const extra = live.filter((index) => index.name !== '_id_' && !spec.indexes.some((wanted) => wanted.name === index.name)).map((index) => `${index.name} ${describeLive(index)}`);
      const state = drifted.length > 0 ? ('drifted' as const) : missing.length > 0 ? ('pending' as const) : ('present' as const);
      return { collection: spec.collection, state, missing, drifted, extra };
    }),
  );
}

/**
 * Creates what is missing; with `force`, replaces drifted indexes. Refused before any change when an index
 * drifted (without `force`) or a unique index would meet duplicates. An index the server cannot build (FerretDB:
 * text and TTL indexes) is reported as `refused`, with the server's words, and the rest is still applied.
 */
export async function migrateDocuments(db: Db, specs: readonly MongoCollectionSpec[], force: boolean): Promise<DocumentsMigrated[]> {
  const states = await inspectDocuments(db, specs);
  if (!force) refuseDrift(states);
  const work = specs.map((spec, i) => ({ spec, state: states[i], build: spec.indexes.filter((index) => states[i].missing.includes(index.name) || states[i].drifted.some((d) => d.index === index.name)) }));
  for (const { spec, build } of work) for (const index of build) if (index.unique) await refuseDuplicates(db, spec.collection, index);
  const results: DocumentsMigrated[] = [];
  for (const { spec, state, build } of work) {
    const collection = db.collection(spec.collection);
    // Another process may create it first: MongoDB then answers NamespaceExists (48).
    if (state.state === 'missing') await db.createCollection(spec.collection).catch(unless(NAMESPACE_EXISTS));
    const live = state.state === 'missing' ? [] : ((await collection.listIndexes().toArray()) as LiveIndex[]);
    const result: DocumentsMigrated = { collection: spec.collection, created: [], replaced: [], refused: [] };
    for (const index of build) {
      const previous = state.drifted.some((d) => d.index === index.name) ? live.find((candidate) => candidate.name === index.name) : undefined;
      // Another process replacing it too may have dropped it already: IndexNotFound (27).
      if (previous) await collection.dropIndex(index.name).catch(unless(INDEX_NOT_FOUND));
      try {
        await collection.createIndex(Object.fromEntries(index.key), {
          name: index.name,
          ...(index.unique ? { unique: true } : {}),
          ...(index.expireAfterSeconds !== undefined ? { expireAfterSeconds: index.expireAfterSeconds } : {}),
        });
        (previous ? result.replaced : result.created).push(index.name);
      } catch (error) {
        // A replacement that cannot be built gives the old index back, rather than none.
        if (previous) await restore(collection, previous);
        if ((error as { code?: number }).code === DUPLICATE_KEY) throw duplicateError(spec.collection, index, error);
        result.refused.push({ index: index.name, reason: `${(error as Error).message}${previous ? ' (the index as it was is kept)' : ''}` });
      }
    }
    results.push(result);
  }
  return results;
}

/** Builds an index again as MongoDB listed it (its options as listed, less the version). */
async function restore(collection: Collection, index: LiveIndex): Promise<void> {
  const { key, ...options } = index as LiveIndex & { v?: number };
  delete (options as { v?: number }).v;
  await collection.createIndex(key, options as CreateIndexesOptions).catch(() => undefined);
}

const [DUPLICATE_KEY, NAMESPACE_EXISTS, INDEX_NOT_FOUND] = [11000, 48, 27];
/** A catch that lets one server error code pass (a race another process won) and throws the rest. */
const unless = (code: number) => (error: unknown) => {
  if ((error as { code?: number }).code !== code) throw error;
};

/** SCHEMA_MISMATCH listing every drifted index, when there is one. */
export function refuseDrift(states: readonly DocumentCollectionState[]): void {
  const listed = states.flatMap((state) => state.drifted.map((d) => `${state.collection}.${d.index}: the schema says ${d.expected}, MongoDB has ${d.found}`));
  if (listed.length === 0) return;
  throw new PolystoreError('SCHEMA_MISMATCH', `MongoDB indexes differ from the schema, nothing was changed: ${listed.join('; ')}. Run again with --force (migrate({ force: true })) to replace them.`);
}

/** One duplicated key of a unique index's fields, looked up before anything is built. */
async function refuseDuplicates(db: Db, collection: string, index: MongoIndexSpec): Promise<void> {
  const group = Object.fromEntries(index.key.map(([path], i) => [`k${i}`, `$${path}`]));
  const [duplicate] = await db
    .collection(collection)
    .aggregate([{ $group: { _id: group, n: { $sum: 1 } } }, { $match: { n: { $gt: 1 } } }, { $limit: 1 }], { allowDiskUse: true })
    .toArray();
  if (!duplicate) return;
  const key = Object.fromEntries(index.key.map(([path], i) => [path, (duplicate._id as Document)[`k${i}`] ?? null]));
  throw new PolystoreError('DUPLICATE_KEYS', `${collection}: the unique index ${index.name} cannot be built: ${duplicate.n} documents have ${JSON.stringify(key)}; nothing was changed`);
}

function duplicateError(collection: string, index: MongoIndexSpec, cause: unknown): PolystoreError {
  return new PolystoreError('DUPLICATE_KEYS', `${collection}: the unique index ${index.name} cannot be built: ${(cause as Error).message}`, { cause });
}
