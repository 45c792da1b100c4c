import type { DocumentLink } from './document-link.js';
import type { MilvusCollectionSpec } from './milvus-spec.js';

/** Every vector record: an id, its scalar fields and the embedding. */
export interface VectorRecordBase {
  id: string;
  embedding: number[];
}

/**
 * Where a read goes on a PostgreSQL server with replicas (`postgres.replicas`): to a replica by default, which may
 * not have the latest writes yet; 'primary' reads them. Milvus has its own setting (`milvus.consistency`).
 */
export interface ReadOptions {
  consistency?: 'primary' | 'replica' | undefined;
  /** With `createPolystore({ cache })`: false reads the database and leaves the cache as it is. */
  cache?: boolean | undefined;
  /**
   * Gives the read up when it aborts: the call rejects with ABORTED at once, and PostgreSQL is asked to cancel the
   * query (a cancel request on its own connection); Milvus's answer, when it comes, is dropped.
   */
  signal?: AbortSignal | undefined;
  /** Aborts the read after this many milliseconds (1 to 2³¹−1), as a signal would. */
  timeoutMs?: number | undefined;
}

/** What every write takes besides its records. */
export interface WriteOptions {
  /**
   * Gives the write up when it aborts before its commit: the call rejects with ABORTED and nothing is written. On
   * PostgreSQL the transaction rolls back (the statement running then cancelled on the server) and the call rejects
   * at once; on Milvus no further request is sent, what the call's earlier requests wrote is undone, and the call
   * rejects once its request in flight has answered. An abort that comes once the commit is on its way (Milvus: the
   * last request) waits for its answer: the call then resolves, written.
   */
  signal?: AbortSignal | undefined;
  /** Aborts the write after this many milliseconds (1 to 2³¹−1), as a signal would. */
  timeoutMs?: number | undefined;
}

/** What every search takes. Optional members take `| undefined` (absent) so that they compile under exactOptionalPropertyTypes. */
export interface SearchOptions<W> extends ReadOptions {
  topK: number;
  /** Absent or undefined: every record (of the tenant). */
  where?: W | undefined;
  /** Drops hits whose score is below this. */
  minScore?: number | undefined;
  /** Returns `record.embedding` too (left out by default: it is large). */
  includeVector?: boolean | undefined;
}

/** The nearest records to `vector`. */
export interface SearchQuery<W> extends SearchOptions<W> {
  vector: readonly number[];
  // Named only to be refused at compile time: a vector search has no text, nor fusion options.
  text?: undefined;
  candidates?: undefined;
  fusion?: undefined;
}

/**
 * Keyword search, on a collection declared with `fullText`: records whose text matches `text`, best first.
 * `text` is read as a web search box reads it: words (all of them), `"a phrase"`, `or`, `-excluded`; any other
 * character is only a separator, so no input is a syntax error. Text of stop words only matches nothing.
 */
export interface TextSearchQuery<W> extends SearchOptions<W> {
  text: string;
  vector?: undefined;
  candidates?: undefined;
  fusion?: undefined;
}

/** Reciprocal rank fusion: a hit's score is Σ weight / (k + rank) over the sides that found it (ranks from 1). */
export interface FusionOptions {
  method?: 'rrf' | undefined;
  /** Default 60. */
  k?: number | undefined;
  /** Default 1 each. */
  weights?: { vector?: number | undefined; text?: number | undefined } | undefined;
}

/** Vector and keyword search together, fused by rank, on a collection declared with `fullText`. */
export interface HybridSearchQuery<W> extends SearchOptions<W> {
  vector: readonly number[];
  text: string;
  /** How many hits each side ranks before the fusion (default 4 × topK, at least 40; at most 1,000). */
  candidates?: number | undefined;
  fusion?: FusionOptions | undefined;
}

/**
 * A search by text embedded with the collection's embedder (`createPolystore({ embedders })`), on a collection
 * declared with `embedding.from`: the nearest records to the query's vector. With `text` too (on a collection with
 * `fullText`), a hybrid search: pass the same words for the keyword side.
 */
export interface EmbeddedSearchQuery<W> extends SearchOptions<W> {
  query: string;
  vector?: undefined;
  text?: string | undefined;
  candidates?: number | undefined;
  fusion?: FusionOptions | undefined;
}

/**
 * What `search` takes: keyword and hybrid queries only on a collection declared with `fullText` (FT); a query to
 * embed only on one declared with `embedding.from` (E).
 */
export type SearchFor<W, FT extends boolean, E extends boolean = false> =
  | (FT extends true ? SearchQuery<W> | TextSearchQuery<W> | HybridSearchQuery<W> : SearchQuery<W>)
  | (E extends true ? EmbeddedSearchQuery<W> : never);

/** What a write takes: on a collection declared with `embedding.from` (E), a record may leave its vector out, to be embedded. */
export type WriteRecord<T extends VectorRecordBase, E extends boolean> = E extends true ? Omit<T, 'embedding'> & { embedding?: number[] | undefined } : T;

/** An update's changes: a field left out or undefined keeps its value; null clears an optional field. */
export type RecordChanges<T> = { [K in Exclude<keyof T, 'id'>]?: T[K] | undefined };

/**
 * What `delete` removes: records by id, the records a filter matches, or with `{ all: true }` every record
 * (of the tenant). A filter that places no condition is refused (INVALID_FILTER), however it is written.
 */
export type DeleteTarget<W> = { ids: readonly string[] } | { where: W } | { all: true };

/**
 * `score` is higher-is-better for every metric: cosine similarity (1 − cosine
 * distance), inner product, or the negated L2 distance.
 */
export interface SearchHit<T> {
  id: string;
  score: number;
  record: T;
  /**
   * Keyword and hybrid searches: where each side ranked the hit (from 1) and the score it gave it (the metric's
   * score above; for the keyword side PostgreSQL's ts_rank_cd, or Milvus's BM25). A side that did not find the
   * hit among its candidates is absent. `score` is then that side's score (keyword) or the fused score (hybrid).
   */
  ranks?: { vector?: SideRank | undefined; text?: SideRank | undefined } | undefined;
}

export interface SideRank {
  rank: number;
  score: number;
}

export interface VectorStore<T extends VectorRecordBase, W, FT extends boolean = false, E extends boolean = false> {
  insert(records: ReadonlyArray<WriteRecord<T, E>>, options?: WriteOptions): Promise<void>;
  upsert(records: ReadonlyArray<WriteRecord<T, E>>, options?: WriteOptions): Promise<void>;
  search(query: SearchFor<W, FT, E>): Promise<Array<SearchHit<T>>>;
  get(ids: readonly string[], options?: ReadOptions): Promise<T[]>;
  count(where?: W | undefined, options?: ReadOptions): Promise<number>;
  update(id: string, changes: RecordChanges<T>, options?: WriteOptions): Promise<void>;
  /** Resolves to the number of records deleted. */
  delete(target: DeleteTarget<W>, options?: WriteOptions): Promise<number>;
}

/** Records written through a tenant's store may leave the tenant field out. */
export type TenantRecord<T, K extends keyof T> = Omit<T, K> & { [P in K]?: T[P] | undefined };

/** A multi-tenant collection is reachable only through `forTenant`. */
export interface TenantVectorStore<T extends VectorRecordBase, W, K extends keyof T & keyof W, FT extends boolean = false, E extends boolean = false> {
  forTenant(tenantId: string): VectorStore<TenantRecord<T, K> & VectorRecordBase, Omit<W, K>, FT, E>;
}

export type VectorFieldKind = 'string' | 'int' | 'float' | 'boolean' | 'datetime' | 'json' | 'enum';

/** What the runtime knows of a vector collection; emitted by `polystore generate`. */
export interface VectorCollectionDescriptor<Table = unknown> {
  name: string;
  backend: 'pgvector' | 'milvus';
  dimension: number;
  metric: 'cosine' | 'l2' | 'ip';
  indexType: 'hnsw' | 'ivfflat' | 'flat';
  /** HNSW: m, ef_construction; IVFFlat: lists. */
  indexParams: Readonly<Record<string, number>>;
  /** pgvector type of the embedding column: halfvec where the index needs it. */
  storage: 'vector' | 'halfvec';
  tenant?: string;
  /** Keyword search: the field searched, its column, the text search configuration; and the tsvector column (pgvector) and sparse field (Milvus), both `column`. */
  fullText?: { field: string; language: string; column: string };
  /** `link`: the field holds the id of a document (`f.ref(model)`); the collection then has a WRITTEN_AT_COLUMN too. */
  fields: ReadonlyArray<{ name: string; column: string; kind: VectorFieldKind; optional: boolean; maxLength?: number; values?: readonly string[]; link?: DocumentLink }>;
  table: Table;
  milvus: MilvusCollectionSpec;
  /** The embedding model, when the collection declares one: `dimension` and `storage` above are its generation's. */
  embedding?: EmbeddingDescriptor;
}

/** A generation of a collection's vectors: the model that made them, and where they are. */
export interface GenerationDescriptor {
  model: string;
  dimension: number;
  storage: 'vector' | 'halfvec';
  /** The vector column on PostgreSQL (its key in the Drizzle table too). */
  column: string;
  /** The generation's collection on Milvus. */
  milvusCollection: string;
}

export interface EmbeddingDescriptor {
  /** The schema's model. */
  model: string;
  /** The text field a record without a vector is embedded from. */
  from?: { field: string; column: string };
  /** The generations the schema knows, oldest first (two while a change of model is under way); the schema's is the one of `model`. */
  generations: readonly GenerationDescriptor[];
}
