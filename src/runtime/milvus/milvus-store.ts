/**
 * The backend store on Milvus, for checked requests (held to `withMilvusLimits`). Milvus has no transactions, so
 * all-or-nothing is kept by hand: ids are checked before writing, and a call that fails after some of its requests
 * landed is undone (new rows deleted, replaced rows put back).
 */
import type { ConsistencyLevelEnum, RowData } from '@zilliz/milvus2-sdk-node';
import { filterExpr, stringLiteral } from './filter-expr.js';
import { keyPageQuery } from './key-page.js';
import type { MilvusConnection } from './milvus-connection.js';
import { keyField, rowCodec } from './rows.js';
import { scopedFilter, type TenantScope } from '../checks/tenant.js';
import type { BackendStore, GenerationWrite } from '../contract/backend-store.js';
import type { WriteCancel } from '../contract/write-cancel.js';
import { type FilterNode, isTrue } from '../contract/filter-node.js';
import { type HybridSearchQuery, type SearchFor, type SearchHit, type VectorCollectionDescriptor, type VectorRecordBase } from '../contract/vector-store.js';
import { keyedSerial } from '../keyed-serial.js';
import { bestFirst } from '../search/best-first.js';
import { fuseRanks, ranked } from '../search/rank-fusion.js';
import { efSearch, hybridSettings, ivfProbes } from '../search/search-breadth.js';
import { PartialWriteError, PolystoreError } from '../../errors.js';

type Row = Record<string, unknown>;

/** Milvus scores: similarity for COSINE and IP, squared distance for L2 (pgvector's `<->` is the distance). */
const SCORE = { cosine: (score: number) => score, ip: (score: number) => score, l2: (score: number) => -Math.sqrt(Math.max(0, score)) } as const;
/** Bytes per write request: well under Milvus's and Zilliz Cloud's request limits (64 MB). */
const BYTES_PER_REQUEST = 16 * 2 ** 20;
/** Ids per `id in [...]` expression, and rows per query page (Milvus returns at most 16,384 a query). */
const IDS_PER_EXPRESSION = 1_000;
const ROWS_PER_PAGE = 10_000;
/**
 * The writes to one collection in this process, one after another. Milvus rewrites whole rows: an update reads,
 * merges and upserts, and the checks before a write read too; interleaved with another write to the same
 * records, either would act on what that write changes. Across processes the last write of a record wins.
 */
export const collectionWrites = keyedSerial();
const writes = collectionWrites;

/**
 * `other`: while a change of embedding model is under way, the other generation's view of the collection (its own
 * Milvus collection): a delete deletes there too, and a write puts there what its GenerationWrite says.
 */
export function createMilvusStore<T extends VectorRecordBase, W>(
  descriptor: VectorCollectionDescriptor,
  milvus: MilvusConnection,
  scope?: TenantScope,
  other?: VectorCollectionDescriptor,
): BackendStore<T, W> {
  const collection = descriptor.milvus.collection_name;
  const otherCodec = other && rowCodec(other);
  const codec = rowCodec(descriptor);
  const key = keyField(descriptor);
  const tenantColumn = scope && descriptor.fields.find((field) => field.name === scope.field)!.column;
  // The SDK's enum has the same string values; a type-only import keeps gRPC unloaded until the first call.
  const consistency_level = milvus.consistency as unknown as ConsistencyLevelEnum;
  const ready = () => milvus.ensure(descriptor);
  // A collection released behind our back (or by a restart of Milvus Lite) is loaded again, once, within the call.
  const callOn = (target: string, load: () => Promise<void>): MilvusConnection['call'] => (operation, request) =>
    milvus.call(operation, request, target).catch(async (error: unknown) => {
      if (!(error instanceof PolystoreError && error.code === 'COLLECTION_NOT_LOADED')) throw error;
      await load();
      return milvus.call(operation, request, target);
    });
  const call = callOn(collection, ready);
  const onOther = other && { name: other.milvus.collection_name, call: callOn(other.milvus.collection_name, () => milvus.ensure(other)) };
  /** A filter as an expression; none at all (not `true`, which Milvus 2.3 refuses) where it places no condition. */
  const toExpr = (filter: FilterNode, operation: string) => (isTrue(filter) ? '' : filterExpr(filter, operation));
  /** `id in [...]`, within the store's tenant or (for the checks before a write) across all tenants. */
  const idsExpr = (ids: readonly string[], operation: string, scoped: boolean) =>
    filterExpr(scopedFilter(descriptor, scoped ? scope : undefined, { id: { in: ids } }, operation), operation);

  /**
   * Every row matching a filter, in pages on an id cursor. `iterator` and `reduce_stop_for_best` ask Milvus
   * (and Milvus Lite) for rows in primary-key order, as its own query iterators do; offsets would stop at 16,384.
   */
  async function queryAll(operation: string, filter: string, outputFields: string[]): Promise<Row[]> {
    const rows: Row[] = [];
    for (;;) {
      const page = await queryPage(operation, filter, outputFields, rows.length === 0 ? '' : (rows.at(-1)![key] as string), ROWS_PER_PAGE);
      rows.push(...page);
      if (page.length < ROWS_PER_PAGE) return rows;
    }
  }

  /** One page of rows after a primary-key cursor (`''`: from the start), in key order. */
  async function queryPage(operation: string, filter: string, outputFields: string[], cursor: string, limit: number): Promise<Row[]> {
    const page = await call(operation, (client) => client.query(keyPageQuery({ collection, key, filter, after: cursor, limit, fields: outputFields, consistency: consistency_level })));
    return page.data as Row[];
  }

  /** Rows with these ids (of any tenant unless scoped), queried in slices that keep expressions short. */
  async function rowsById(operation: string, ids: readonly string[], outputFields: string[], scoped: boolean): Promise<Row[]> {
    const rows: Row[] = [];
    for (let start = 0; start < ids.length; start += IDS_PER_EXPRESSION) {
      const slice = ids.slice(start, start + IDS_PER_EXPRESSION);
      const filter = idsExpr(slice, operation, scoped);
      // At most IDS_PER_EXPRESSION rows match: one query, without the paging that slows Milvus Lite down.
      const result = await call(operation, (client) => client.query({ collection_name: collection, filter, output_fields: outputFields, consistency_level }));
      rows.push(...(result.data as Row[]));
    }
    return rows;
  }

  async function mutate(operation: string, rows: Row[], request: 'upsert' | 'delete', on = { name: collection, call }): Promise<number> {
    const result = await on.call(operation, (client) =>
      request === 'upsert'
        ? client.upsert({ collection_name: on.name, data: rows as RowData[] })
        : client.delete({ collection_name: on.name, filter: `${key} in [${rows.map((row) => stringLiteral(row[key] as string)).join(', ')}]`, consistency_level: milvus.consistency }),
    );
    // The SDK resolves even when some rows failed: err_index names them.
    if (result.err_index.length > 0) {
      throw new PolystoreError('MILVUS_ERROR', `${operation}: Milvus refused rows ${result.err_index.slice(0, 5).join(', ')}${result.err_index.length > 5 ? '…' : ''} of ${rows.length}`);
    }
    const count = Number(request === 'upsert' ? result.upsert_cnt : result.delete_cnt);
    // Every row of an upsert is acknowledged, or the request failed.
    if (request === 'upsert' && count !== rows.length) throw new PolystoreError('MILVUS_ERROR', `${operation}: Milvus wrote ${count} of ${rows.length} rows`);
    return count;
  }

  /**
   * The other generation's rows of a write whose text changed: its vector where one was made, else none (deleted,
   * for a re-embed to make). After this collection's write landed: a failure here is a PARTIAL_WRITE.
   */
  async function writeOther(operation: string, records: ReadonlyArray<Record<string, unknown>>, generation: GenerationWrite | undefined): Promise<void> {
    const vectors = generation?.other?.vectors;
    if (!vectors || !onOther || !otherCodec) return;
    const touched = records.filter((record) => vectors.has(record.id as string));
    const put = touched.filter((record) => vectors.get(record.id as string)).map((record) => otherCodec.toRow({ ...record, embedding: vectors.get(record.id as string) }));
    const drop = touched.filter((record) => vectors.get(record.id as string) === null).map((record) => otherCodec.toRow({ ...record, embedding: [] }));
    try {
      await milvus.ensure(other!);
      for (const batch of byteBatches(put, other!.dimension)) await mutate(`${operation} (${onOther.name})`, batch, 'upsert', onOther);
      for (let start = 0; start < drop.length; start += IDS_PER_EXPRESSION) await mutate(`${operation} (${onOther.name})`, drop.slice(start, start + IDS_PER_EXPRESSION), 'delete', onOther);
    } catch (error) {
      const ids = records.map((record) => record.id as string);
      throw new PartialWriteError(
        `${operation}: written, but not to the collection of the other embedding generation ("${onOther.name}": ${(error as Error).message}); upsert the same records again, or let polystore vectors reembed make them`,
        ids,
        [],
        { cause: error },
      );
    }
  }

  async function write(records: ReadonlyArray<Record<string, unknown>>, operation: 'insert' | 'upsert', generation?: GenerationWrite, cancel?: WriteCancel): Promise<void> {
    const rows = records.map(codec.toRow);
    await ready();
    const ids = rows.map((row) => row.id as string);
    // An insert must not overwrite, and needs only the ids; an upsert keeps what it replaces, to put it back on failure.
    const existing = await rowsById(operation, ids, operation === 'upsert' ? codec.outputFields(true) : ['id'], false);
    if (operation === 'insert' && existing.length > 0) {
      throw new PolystoreError('DUPLICATE_ID', `insert: a record with id ${JSON.stringify(existing[0].id)} already exists; nothing was written`);
    }
    // A check, as pgvector's ID_CONFLICT; the tenant in the primary key is what keeps the other tenant's record whole.
    const foreign = tenantColumn ? existing.find((row) => row[tenantColumn] !== scope!.tenantId) : undefined;
    if (foreign) throw new PolystoreError('ID_CONFLICT', `upsert: id ${JSON.stringify(foreign.id)} belongs to another tenant; nothing was written`);
    const keys = new Set(rows.map((row) => row[key]));
    const previous = existing.map((row) => codec.toRow(codec.toRecord(row))).filter((row) => keys.has(row[key]));

    // Writes go through upsert even for inserts: after the check above it is the same, and a retried request cannot duplicate rows.
    const written: Row[] = [];
    for (const batch of byteBatches(rows, descriptor.dimension)) {
      try {
        // Aborted between requests: what the earlier ones wrote is undone below, and the call wrote nothing.
        cancel?.commit();
        await mutate(operation, batch, 'upsert');
      } catch (error) {
        // The failed request may have written some of its rows (err_index): it is undone with the rest. An aborted
        // one was not sent.
        const unsent = error instanceof PolystoreError && error.code === 'ABORTED';
        const sent = unsent ? written : [...written, ...batch];
        if (sent.length === 0) throw error;
        const landed = new Set(written.map((row) => row[key]));
        const sentKeys = new Set(sent.map((row) => row[key]));
        await undo(operation, sent, previous.filter((row) => sentKeys.has(row[key])), landed).catch((undoError: unknown) => {
          const ids = (wanted: (row: Row) => boolean) => rows.filter(wanted).map((row) => row.id as string);
          const [done, uncertain] = [ids((row) => landed.has(row[key])), ids((row) => !unsent && batch.includes(row) && !landed.has(row[key]))];
          throw new PartialWriteError(
            `${operation}: a request failed (${(error as Error).message}) and undoing the call failed too (${(undoError as Error).message}): ` +
              `${done.length} of ${rows.length} records are written (error.written), ${uncertain.length} may be (error.uncertain), the others are not; ` +
              `upsert the same records again to finish the call`,
            done,
            uncertain,
            { cause: error },
          );
        });
        throw error;
      }
      written.push(...batch);
    }
    await writeOther(operation, records, generation);
  }

  /**
   * Puts back what a failed write replaced, and deletes what it added. `landed` holds the keys whose new values
   * are in Milvus: each step that undoes some takes them out, so that a failure midway reports what is left.
   */
  async function undo(operation: string, written: Row[], previous: Row[], landed: Set<unknown>): Promise<void> {
    const replaced = new Set(previous.map((row) => row[key]));
    const added = written.filter((row) => !replaced.has(row[key]));
    for (let start = 0; start < added.length; start += IDS_PER_EXPRESSION) {
      const slice = added.slice(start, start + IDS_PER_EXPRESSION);
      await mutate(`${operation} (undo)`, slice, 'delete');
      for (const row of slice) landed.delete(row[key]);
    }
    for (const batch of byteBatches(previous, descriptor.dimension)) {
      await mutate(`${operation} (undo)`, batch, 'upsert');
      for (const row of batch) landed.delete(row[key]);
    }
  }

  /** The `limit` nearest records to a vector, scored higher-is-better. */
  /** `timeout`: the call's timeoutMs, Milvus's deadline for the request (the server gives it up then too). */
  async function nearest(vector: readonly number[], limit: number, filter: string, outputFields: string[], timeout: number | undefined): Promise<Array<SearchHit<T>>> {
    const result = await call('search', (client) =>
      client.search({
        collection_name: collection,
        data: Array.from(vector),
        // A full-text collection has a second vector field, BM25's.
        anns_field: 'embedding',
        limit,
        filter,
        output_fields: outputFields,
        params: searchParams(descriptor, limit),
        consistency_level,
        timeout,
      }),
    );
    return hits(result.results as Row[], SCORE[descriptor.metric]);
  }

  /** The `limit` records whose text best matches, by BM25 over the sparse field the collection's function fills. */
  async function matching(text: string, limit: number, filter: string, outputFields: string[], timeout: number | undefined): Promise<Array<SearchHit<T>>> {
    const result = await call('search', (client) =>
      client.search({ collection_name: collection, data: [text], anns_field: descriptor.fullText!.column, metric_type: 'BM25', limit, filter, output_fields: outputFields, consistency_level, timeout }),
    );
    // One query: the SDK returns its hits unnested. BM25 scores are never negative; Milvus Lite 3.2.2 returns
    // them negated (its internal distance), in the same best-first order.
    return hits(result.results as unknown as Row[], Math.abs);
  }

  const hits = (rows: Row[], score: (milvusScore: number) => number): Array<SearchHit<T>> =>
    rows.map(({ score: milvusScore, ...row }) => {
      const record = codec.toRecord(row) as unknown as T;
      return { id: record.id, score: score(milvusScore as number), record };
    });

  const store: BackendStore<T, W> = {
    insert: (records, generation, cancel) => writes(collection, () => write(records, 'insert', generation, cancel)),
    upsert: (records, generation, cancel) => writes(collection, () => write(records, 'upsert', generation, cancel)),

    async search(query: SearchFor<W, true>, where): Promise<Array<SearchHit<T>>> {
      const filter = toExpr(where, 'search');
      await ready();
      const outputFields = codec.outputFields(query.includeVector === true);
      const text = 'text' in query ? query.text : undefined;
      const deadline = query.timeoutMs;
      if (text === undefined) return bestFirst(await nearest(query.vector!, query.topK, filter, outputFields, deadline), query.minScore);
      if (query.vector === undefined) {
        const found = ranked(await matching(text, query.topK, filter, outputFields, deadline));
        return bestFirst(found.map((hit, i) => ({ ...hit, ranks: { text: { rank: i + 1, score: hit.score } } })), query.minScore);
      }
      // Milvus's hybrid_search fuses by rank too, but returns only the fused score: each side's rank and score
      // (`ranks`) come from running the two searches, with the same filter, and fusing them here.
      const hybrid = query as HybridSearchQuery<W>;
      const { candidates, ...fusion } = hybridSettings(hybrid);
      const [vector, keyword] = await Promise.all([nearest(hybrid.vector, candidates, filter, outputFields, deadline), matching(text, candidates, filter, outputFields, deadline)]);
      return bestFirst(fuseRanks({ vector: ranked(vector), text: ranked(keyword) }, query.topK, fusion), query.minScore);
    },

    // `options.consistency` is PostgreSQL's: Milvus reads at `milvus.consistency`. The ids go in slices that keep
    // expressions short, each within the tenant as the filter is.
    async get(ids) {
      await ready();
      const rows = await rowsById('get', ids, codec.outputFields(true), true);
      const byId = new Map(rows.map((row) => [row.id, codec.toRecord(row)]));
      return ids.flatMap((key) => (byId.has(key) ? [byId.get(key) as unknown as T] : []));
    },

    async count(where) {
      const filter = toExpr(where, 'count');
      await ready();
      const result = await call('count', (client) => client.query({ collection_name: collection, filter, output_fields: ['count(*)'], consistency_level }));
      return Number((result.data[0] as Row)['count(*)']);
    },

    async update(id, values, filter, generation, cancel) {
      await ready();
      await writes(collection, async () => {
        const [current] = await store.get([id], filter, undefined);
        if (!current) throw new PolystoreError('NOT_FOUND', `update: no record with id ${JSON.stringify(id)}${scope ? ' for this tenant' : ''}`);
        if (Object.keys(values).length === 0) return;
        const merged = { ...current, ...values };
        cancel?.commit();
        await mutate('update', [codec.toRow(merged)], 'upsert');
        await writeOther('update', [merged], generation);
      });
    },

    async delete(filter, ids, cancel) {
      await ready();
      return writes(collection, async () => {
        // Deleting by the matched keys gives an exact count on every Milvus version.
        const matched = ids ? await rowsById('delete', ids, [key], true) : await queryAll('delete', toExpr(filter, 'delete'), [key]);
        // A delete cannot be undone: once its first request is sent, it runs to its end.
        if (matched.length > 0) cancel?.commit();
        for (let start = 0; start < matched.length; start += IDS_PER_EXPRESSION) await mutate('delete', matched.slice(start, start + IDS_PER_EXPRESSION), 'delete');
        // The other generation's rows too: a re-embed's cutover would make them live again.
        if (onOther && matched.length > 0) {
          await milvus.ensure(other!);
          for (let start = 0; start < matched.length; start += IDS_PER_EXPRESSION) await mutate(`delete (${onOther.name})`, matched.slice(start, start + IDS_PER_EXPRESSION), 'delete', onOther);
        }
        return matched.length;
      });
    },

    async page(after, limit) {
      await ready();
      const rows = await queryPage('scan', '', codec.outputFields(true), after ?? '', limit);
      return { records: rows.map((row) => codec.toRecord(row) as unknown as T), cursor: rows.length === 0 ? after : (rows.at(-1)![key] as string) };
    },
  };
  return store;
}

function searchParams(descriptor: VectorCollectionDescriptor, topK: number): Record<string, number> {
  if (descriptor.indexType === 'hnsw') return { ef: efSearch(topK) };
  if (descriptor.indexType === 'ivfflat') return { nprobe: ivfProbes(descriptor.indexParams.lists) };
  return {};
}

/** Splits rows into requests of at most BYTES_PER_REQUEST, estimating each row's size. */
function byteBatches(rows: Row[], dimension: number): Row[][] {
  const batches: Row[][] = [];
  let batch: Row[] = [];
  let bytes = 0;
  for (const row of rows) {
    let size = dimension * 4;
    for (const [key, value] of Object.entries(row)) {
      if (key !== 'embedding' && value !== null && typeof value === 'object') size += Buffer.byteLength(JSON.stringify(value));
      else if (typeof value === 'string') size += Buffer.byteLength(value);
    }
    if (batch.length > 0 && bytes + size > BYTES_PER_REQUEST) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(row);
    bytes += size + 64;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

