/**
 * A linked collection's records on Milvus, for integrity/: keyset pages over the primary key of the collection
 * reads use, deletes by key in every generation's collection (a cutover would make a record left in one live).
 */
import type { ConsistencyLevelEnum } from '@zilliz/milvus2-sdk-node';
import { stringLiteral } from './filter-expr.js';
import { keyPageQuery } from './key-page.js';
import type { MilvusConnection } from './milvus-connection.js';
import { collectionWrites } from './milvus-store.js';
import { keyField } from './rows.js';
import { linksOf, WRITTEN_AT_COLUMN } from '../contract/document-link.js';
import type { EmbeddingGenerations } from '../contract/embedding-state.js';
import type { LinkedRecords, LinkedRow, WrittenWindow } from '../contract/linked-records.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';
import { generationView } from '../generation-view.js';

const STRONG = 'Strong' as unknown as ConsistencyLevelEnum;
const KEYS_PER_EXPRESSION = 1_000;
/** Milvus returns at most 16,384 rows a query: a document's vectors may be more, so a slice is matched again until fewer come. */
const MATCHED_PER_QUERY = 10_000;
type Row = Record<string, unknown>;

export function milvusLinks(descriptor: VectorCollectionDescriptor, milvus: MilvusConnection, generations: EmbeddingGenerations | undefined): LinkedRecords {
  const operation = `integrity of "${descriptor.name}"`;
  const key = keyField(descriptor);
  const links = linksOf(descriptor);
  const tenant = descriptor.fields.find((field) => field.name === descriptor.tenant);
  const fields = [...new Set([key, 'id', ...(tenant ? [tenant.column] : []), WRITTEN_AT_COLUMN, ...links.map((link) => link.column)])];
  /** The view reads use, and every generation's view, each collection created or checked. */
  const views = async () => {
    const state = descriptor.embedding ? await generations?.read() : undefined;
    const active = state ? generationView(descriptor, state.active) : descriptor;
    const all = state ? state.generations.map((generation) => generationView(descriptor, generation.column)) : [descriptor];
    for (const view of all) await milvus.ensure(view);
    return { active, all };
  };
  const query = async (collection: string, filter: string, output: string[], limit?: number) => {
    const result = await milvus.call(operation, (client) => client.query({ collection_name: collection, filter, output_fields: output, consistency_level: STRONG, ...(limit ? { limit } : {}) }), collection);
    return result.data as Row[];
  };
  const keysIn = (keys: readonly string[]) => `${key} in [${keys.map(stringLiteral).join(', ')}]`;
  /**
   * Deletes in every generation's collection the rows each slice's filter matches (`count` items, a slice per
   * KEYS_PER_EXPRESSION); resolves to how many the active one lost. Matched first, then deleted by key and the
   * filter again (a record another process wrote since no longer matches): Milvus 2.3's delete counts are not
   * to be trusted, the match's are.
   */
  const deleteMatching = async (count: number, filterOf: (start: number) => string) => {
    if (count === 0) return 0;
    const { active, all } = await views();
    let deleted = 0;
    for (const view of all) {
      const collection = view.milvus.collection_name;
      await collectionWrites(collection, async () => {
        for (let start = 0; start < count; start += KEYS_PER_EXPRESSION) {
          const filter = filterOf(start);
          for (;;) {
            const matched = (await query(collection, filter, [key], MATCHED_PER_QUERY)).map((row) => row[key] as string);
            if (matched.length > 0) await milvus.call(operation, (client) => client.delete({ collection_name: collection, filter: `${keysIn(matched)} and (${filter})` }), collection);
            if (view === active) deleted += matched.length;
            if (matched.length < MATCHED_PER_QUERY) break;
          }
        }
      });
    }
    return deleted;
  };
  const bounds = (window: WrittenWindow) => [...(window.since ? [`${WRITTEN_AT_COLUMN} >= ${window.since.getTime()}`] : []), ...(window.until ? [`${WRITTEN_AT_COLUMN} < ${window.until.getTime()}`] : [])].join(' and ');
  return {
    async count(window) {
      const { active } = await views();
      const [row] = await query(active.milvus.collection_name, bounds(window), ['count(*)']);
      return Number(row?.['count(*)'] ?? 0);
    },
    async page(window, after, limit) {
      const { active } = await views();
      const collection = active.milvus.collection_name;
      const page = await milvus.call(operation, (client) => client.query(keyPageQuery({ collection, key, filter: bounds(window), after: after ?? '', limit, fields, consistency: STRONG })), collection);
      return (page.data as Row[]).map((row): LinkedRow => ({
        id: row.id as string,
        key: row[key] as string,
        tenant: tenant ? (row[tenant.column] as string) : undefined,
        writtenAt: new Date(Number(row[WRITTEN_AT_COLUMN])),
        refs: Object.fromEntries(links.map((link) => [link.field, (row[link.column] as string | null | undefined) ?? null])),
      }));
    },
    async deleteWrittenBefore(rows, before) {
      const keys = rows.map((row) => row.key);
      return deleteMatching(keys.length, (start) => `${keysIn(keys.slice(start, start + KEYS_PER_EXPRESSION))} and ${WRITTEN_AT_COLUMN} < ${before.getTime()}`);
    },
    async deleteLinked(field, documents, tenantId) {
      const link = links.find((candidate) => candidate.field === field)!;
      const inTenant = tenantId !== undefined && tenant ? ` and ${tenant.column} == ${stringLiteral(tenantId)}` : '';
      return deleteMatching(documents.length, (start) => `${link.column} in [${documents.slice(start, start + KEYS_PER_EXPRESSION).map(stringLiteral).join(', ')}]${inTenant}`);
    },
    async present(ids) {
      if (ids.length === 0) return new Set();
      const { active } = await views();
      const found = new Set<string>();
      for (let start = 0; start < ids.length; start += KEYS_PER_EXPRESSION) {
        const slice = ids.slice(start, start + KEYS_PER_EXPRESSION);
        for (const row of await query(active.milvus.collection_name, `id in [${slice.map(stringLiteral).join(', ')}]`, ['id'], 16_384)) found.add(row.id as string);
      }
      return found;
    },
  };
}
