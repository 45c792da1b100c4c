/**
 * A collection's embedding generations on Milvus, which cannot add a vector field to a collection: each
 * generation is a collection of its own, and the record (the active generation, a re-embed's progress) is a
 * property of every one of them, the highest version winning. Milvus has no transactions: a switch checks that
 * the generation has every record's vector, for its current text, and none of a deleted record, then switches;
 * this process's writes wait for it, other processes' are caught up by a re-embed's next pass.
 */
import type { ConsistencyLevelEnum } from '@zilliz/milvus2-sdk-node';
import pRetry from 'p-retry';
import { stringLiteral } from './filter-expr.js';
import { keyPageQuery } from './key-page.js';
import type { MilvusConnection } from './milvus-connection.js';
import { collectionWrites } from './milvus-store.js';
import { keyField, rowCodec } from './rows.js';
import { PolystoreError } from '../../errors.js';
import { type EmbeddingGenerations, type EmbeddingState, type MissingVector, noTextSource } from '../contract/embedding-state.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';
import { generationView, schemaGeneration } from '../generation-view.js';

const PROPERTY = 'polystore.embeddings';
/** Milvus Lite renaming its collection's schema file from under another writer. */
const LITE_SCHEMA_FILE_RACE = /No such file or directory: '[^']*schema\.json\.tmp'/;
const PAGE = 5_000;
const IDS_PER_EXPRESSION = 1_000;
// Reads of the checks see every acknowledged write.
const STRONG = 'Strong' as unknown as ConsistencyLevelEnum;
type Row = Record<string, unknown>;

export function milvusGenerations(descriptor: VectorCollectionDescriptor, milvus: MilvusConnection): EmbeddingGenerations {
  const embedding = descriptor.embedding!;
  const name = descriptor.name;
  const key = keyField(descriptor);
  const text = embedding.from?.column;
  const operation = `embeddings of "${name}"`;
  const views = new Map(embedding.generations.map((generation) => [generation.column, generationView(descriptor, generation.column)]));
  const viewOf = (column: string) => {
    const view = views.get(column);
    if (!view) throw new PolystoreError('EMBEDDING_MODEL_MISMATCH', `"${name}": the schema has no generation of embeddings "${column}"`);
    return view;
  };
  const collectionOf = (column: string) => viewOf(column).milvus.collection_name;
  const exists = async (column: string) => Boolean((await milvus.call(operation, (client) => client.hasCollection({ collection_name: collectionOf(column) }))).value);
  const textSource = () => {
    if (!text) throw noTextSource(name);
    return text;
  };

  async function stateOf(column: string): Promise<EmbeddingState | undefined> {
    const described = await milvus.call(operation, (client) => client.describeCollection({ collection_name: collectionOf(column) }), collectionOf(column));
    const property = (described.properties ?? []).find((candidate) => candidate.key === PROPERTY);
    return property ? (JSON.parse(String(property.value)) as EmbeddingState) : undefined;
  }

  async function read(): Promise<EmbeddingState | undefined> {
    let best: EmbeddingState | undefined;
    for (const generation of embedding.generations) {
      if (!(await exists(generation.column))) continue;
      const state = await stateOf(generation.column);
      if (state && (!best || state.version > best.version)) best = state;
    }
    return best;
  }

  async function write(state: EmbeddingState): Promise<void> {
    const value = JSON.stringify(state);
    for (const generation of state.generations) {
      const collection = collectionOf(generation.column);
      const alter = () => milvus.call(operation, (client) => client.alterCollectionProperties({ collection_name: collection, properties: { [PROPERTY]: value } as Record<string, string> }), collection);
      // Setting a property is idempotent, so Milvus Lite's lost race between two writers of the collection's schema
      // file (seen in CI, once in ~30 runs) is worth another attempt.
      await pRetry(alter, { retries: 3, minTimeout: 50, shouldRetry: ({ error }) => LITE_SCHEMA_FILE_RACE.test(error.message) });
    }
  }

  /** Rows of a generation's collection matching `filter`, in key order after `after`, `limit` at most. */
  async function page(column: string, filter: string, after: string, limit: number, fields: string[]): Promise<Row[]> {
    const collection = collectionOf(column);
    const result = await milvus.call(operation, (client) => client.query(keyPageQuery({ collection, key, filter, after, limit, fields, consistency: STRONG })), collection);
    return result.data as Row[];
  }

  const byKeys = async (column: string, keys: readonly string[], fields: string[]): Promise<Map<string, Row>> => {
    const rows = new Map<string, Row>();
    for (let start = 0; start < keys.length; start += IDS_PER_EXPRESSION) {
      const filter = `${key} in [${keys.slice(start, start + IDS_PER_EXPRESSION).map(stringLiteral).join(', ')}]`;
      const collection = collectionOf(column);
      const result = await milvus.call(operation, (client) => client.query({ collection_name: collection, filter, output_fields: fields.includes(key) ? fields : [key, ...fields], consistency_level: STRONG }), collection);
      for (const row of result.data as Row[]) rows.set(row[key] as string, row);
    }
    return rows;
  };

  /** What a generation is filled from: the other one the record holds. */
  const sourceOf = async (column: string) => {
    const state = await read();
    return state?.generations.find((generation) => generation.column !== column)?.column;
  };

  /** Records of `source` after `after` that `column` lacks, or holds for other text. */
  async function missingAfter(source: string, column: string, after: string, limit: number): Promise<{ missing: MissingVector[]; last: string | undefined; seen: number }> {
    const from = textSource();
    const rows = await page(source, '', after, limit, ['id', from]);
    const found = await byKeys(column, rows.map((row) => row[key] as string), [from]);
    const missing = rows.filter((row) => found.get(row[key] as string)?.[from] !== row[from]).map((row) => ({ id: row.id as string, key: row[key] as string, text: row[from] as string }));
    return { missing, last: rows.at(-1)?.[key] as string | undefined, seen: rows.length };
  }

  /** Deletes the rows of `column` whose record `source` no longer has (deleted while the generation was being filled). */
  async function prune(source: string, column: string): Promise<number> {
    let pruned = 0;
    for (let after = ''; ; ) {
      const rows = await page(column, '', after, PAGE, [key]);
      if (rows.length === 0) return pruned;
      const kept = await byKeys(source, rows.map((row) => row[key] as string), [key]);
      const gone = rows.filter((row) => !kept.has(row[key] as string));
      if (gone.length > 0) {
        const collection = collectionOf(column);
        await milvus.call(operation, (client) => client.delete({ collection_name: collection, filter: `${key} in [${gone.map((row) => stringLiteral(row[key] as string)).join(', ')}]`, consistency_level: 'Strong' }), collection);
        pruned += gone.length;
      }
      after = rows.at(-1)![key] as string;
    }
  }

  async function count(column: string): Promise<{ missing: number; total: number }> {
    const source = await sourceOf(column);
    if (!source) return { missing: 0, total: await total(column) };
    let missing = 0;
    for (let after = ''; ; ) {
      const pageOf = await missingAfter(source, column, after, PAGE);
      missing += pageOf.missing.length;
      if (pageOf.last === undefined) break;
      after = pageOf.last;
    }
    // A row of a deleted record counts as missing work too: the switch prunes it.
    const [sourceTotal, columnTotal] = [await total(source), await total(column)];
    return { missing: missing + Math.max(0, columnTotal - (sourceTotal - missing)), total: sourceTotal };
  }

  async function total(column: string): Promise<number> {
    const collection = collectionOf(column);
    const result = await milvus.call(operation, (client) => client.query({ collection_name: collection, filter: '', output_fields: ['count(*)'], consistency_level: STRONG }), collection);
    return Number((result.data[0] as Row)['count(*)']);
  }

  /** The record as it is, else refused: another process changed it since it was read. */
  const expect = async (version: number) => {
    const state = await read();
    if (!state || state.version !== version) throw new PolystoreError('EMBEDDING_STATE_CHANGED', `"${name}": the record of its embeddings changed meanwhile; run the command again`);
    return state;
  };

  return {
    read,

    async record() {
      const current = await read();
      const present: typeof embedding.generations[number][] = [];
      for (const generation of embedding.generations) if (await exists(generation.column)) present.push(generation);
      const schema = schemaGeneration(descriptor);
      const recorded = ({ column, model, dimension, storage }: typeof schema) => ({ column, model, dimension, storage });
      let state: EmbeddingState;
      if (!current) {
        const generations = present.length > 0 ? present : [schema];
        state = { active: generations[0].column, generations: generations.map(recorded), version: 1 };
      } else {
        // Generations newer than every recorded one are made; an older one missing was dropped by --finalize.
        const last = Math.max(...current.generations.map((generation) => embedding.generations.findIndex((known) => known.column === generation.column)));
        const newer = embedding.generations.filter((_, i) => i > last).map(recorded);
        const kept = current.generations.filter((generation) => present.some((known) => known.column === generation.column));
        state = { ...current, generations: [...kept, ...newer] };
        if (newer.length === 0 && kept.length === current.generations.length) {
          for (const generation of state.generations) await milvus.ensure(viewOf(generation.column));
          return current;
        }
        state.version = current.version + 1;
      }
      for (const generation of state.generations) await milvus.ensure(viewOf(generation.column));
      await write(state);
      return state;
    },

    async activate(column, expectedVersion) {
      const state = await expect(expectedVersion);
      if (!state.generations.some((generation) => generation.column === column)) throw new PolystoreError('EMBEDDING_NOT_RECORDED', `"${name}": the generation "${column}" is not in the database yet; run the migrations`);
      const source = state.generations.find((generation) => generation.column !== column)?.column;
      // This process's writes to either collection wait for the check and the switch.
      return collectionWrites(collectionOf(state.active), async () => {
        if (source) {
          await prune(source, column);
          const { missing } = await count(column);
          if (missing > 0) return { missing };
        }
        await write({ ...(await expect(expectedVersion)), active: column, version: expectedVersion + 1 });
        return { missing: 0 };
      });
    },

    async dropInactive(expectedVersion) {
      const state = await expect(expectedVersion);
      const dropped = state.generations.filter((generation) => generation.column !== state.active).map((generation) => generation.column);
      const next = { ...state, generations: state.generations.filter((generation) => generation.column === state.active), reembed: undefined, version: state.version + 1 };
      await write(next);
      for (const column of dropped) {
        const collection = collectionOf(column);
        await milvus.call(operation, (client) => client.dropCollection({ collection_name: collection }), collection);
      }
      return dropped;
    },

    async saveProgress(progress) {
      const state = await read();
      if (state) await write({ ...state, reembed: progress });
    },

    async missing(column, after, limit) {
      const source = await sourceOf(column);
      if (!source) return [];
      // Pages of the source until one holds work: a page in which everything is done is skipped.
      for (let cursor = after ?? ''; ; ) {
        const found = await missingAfter(source, column, cursor, limit);
        if (found.missing.length > 0 || found.last === undefined) return found.missing;
        cursor = found.last;
      }
    },

    async fill(column, rows) {
      const source = await sourceOf(column);
      if (!source || rows.length === 0) return 0;
      const from = textSource();
      const [sourceCodec, targetCodec] = [rowCodec(viewOf(source)), rowCodec(viewOf(column))];
      // Against this process's writes: a record changed or deleted since it was read is left to the next pass.
      return collectionWrites(collectionOf(source), async () => {
        const current = await byKeys(source, rows.map((row) => row.key), sourceCodec.outputFields(false));
        const put = rows.filter((row) => current.get(row.key)?.[from] === row.text).map((row) => targetCodec.toRow({ ...sourceCodec.toRecord(current.get(row.key)!), embedding: row.vector }));
        if (put.length === 0) return 0;
        const collection = collectionOf(column);
        await milvus.call(operation, (client) => client.upsert({ collection_name: collection, data: put as never }), collection);
        return put.length;
      });
    },

    count,
  };
}
