import type { FilterNode } from './filter-node.js';
import type { WriteCancel } from './write-cancel.js';
import type { ReadOptions, SearchFor, SearchHit, VectorRecordBase, VectorStore } from './vector-store.js';

/** Up to `limit` records of every tenant after `cursor`, and the cursor of the next page: for `polystore vectors copy`. */
export type Page<T> = (cursor: string | undefined, limit: number) => Promise<{ records: T[]; cursor: string | undefined }>;

/** A store of every kind of query with its pages, as the facade assembles it: what `polystore vectors copy` moves. */
export interface PagedStore<T extends VectorRecordBase, W> extends VectorStore<T, W, true> {
  /** In the backend's primary-key order, from the start when `cursor` is undefined; cursors are the backend's own. */
  page: Page<T>;
}

/**
 * What each backend implements: requests checked once above it (runtime/checks/checked-store.ts), so that a
 * backend only compiles and runs them. Records are validated and carry the store's tenant; a `filter` is the
 * call's `where` (or ids) parsed and restricted to the tenant; ids are valid and at least one.
 */
/**
 * What a write to a collection with recorded embeddings carries besides its records (runtime/../embeddings).
 * It fails with EMBEDDING_STATE_CHANGED, writing nothing, once the record of generations is past `version`.
 */
export interface GenerationWrite {
  version: number;
  /** The other generation's vectors by id; null: none (a re-embed makes it). Only ids whose text was written. */
  other?: { column: string; vectors: ReadonlyMap<string, readonly number[] | null> } | undefined;
}

/** `cancel` of a write: how the call's `signal` and `timeoutMs` give it up (contract/write-cancel.ts). */
export interface BackendStore<T extends VectorRecordBase, W> {
  insert(records: ReadonlyArray<Record<string, unknown>>, generation?: GenerationWrite, cancel?: WriteCancel): Promise<void>;
  upsert(records: ReadonlyArray<Record<string, unknown>>, generation?: GenerationWrite, cancel?: WriteCancel): Promise<void>;
  search(query: SearchFor<W, true>, filter: FilterNode): Promise<Array<SearchHit<T>>>;
  get(ids: readonly string[], filter: FilterNode, options: ReadOptions | undefined): Promise<T[]>;
  count(filter: FilterNode, options: ReadOptions | undefined): Promise<number>;
  /** `changes` without undefined values; `filter` is the record's id within the tenant. */
  update(id: string, changes: Record<string, unknown>, filter: FilterNode, generation?: GenerationWrite, cancel?: WriteCancel): Promise<void>;
  /** `filter` can match something; `ids` when the call named them. */
  delete(filter: FilterNode, ids: readonly string[] | undefined, cancel?: WriteCancel): Promise<number>;
  page: Page<T>;
}
