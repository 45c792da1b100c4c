import type { ColumnDef } from './column.js';
import type { FieldDef } from './field.js';

export type SortOrder = 'asc' | 'desc';
export type Metric = 'cosine' | 'l2' | 'ip';
export type VectorBackend = 'pgvector' | 'milvus';

/**
 * MongoDB index: plain or unique on fields (dotted paths reach embedded objects), a text index, or a TTL index
 * (`expireAfterSeconds` on one datetime field: MongoDB deletes each document that long after that date; Prisma
 * cannot declare one, `polystore migrate` creates it).
 */
export type DocumentIndexDef =
  | { fields: Array<string | { field: string; order: SortOrder }>; unique?: boolean; expireAfterSeconds?: number }
  | { text: string[] };

export interface DocumentDef {
  readonly kind: 'document';
  /** MongoDB collection name; defaults to the document name. */
  readonly collection?: string;
  readonly fields: Record<string, FieldDef>;
  /** Adds `createdAt` and `updatedAt`, maintained by Prisma. */
  readonly timestamps?: boolean;
  readonly indexes?: DocumentIndexDef[];
  /**
   * By vector collection linked to this model, the field that lists the ids of the document's vectors (a dotted
   * path to a string, or to strings in lists: `{ embeddings: 'indexes.dataId' }`): `polystore integrity check` then
   * reports documents whose vectors are missing.
   */
  readonly vectors?: Record<string, string>;
}

/** Restricts a partial index; values become escaped SQL literals. */
export type IndexPredicate =
  | { column: string; isNotNull: true }
  | { column: string; isNull: true }
  | { column: string; equals: string | number | boolean };

export type IndexColumn = string | { column: string; order?: SortOrder; nulls?: 'first' | 'last' };

export type VectorIndexDef =
  | { type: 'hnsw'; m?: number; efConstruction?: number }
  | { type: 'ivfflat'; lists?: number }
  | { type: 'flat' };

export type TableIndexDef =
  | { using?: 'btree'; columns: IndexColumn[]; unique?: boolean; where?: IndexPredicate }
  | { using: 'gin'; columns: string[]; where?: IndexPredicate }
  | { using: 'brin'; columns: string[] }
  /** GIN over `to_tsvector(language, column)`, for full-text search. */
  | { using: 'fulltext'; column: string; language?: string; where?: IndexPredicate }
  | ({ using: 'vector'; column: string; metric: Metric } & VectorIndexDef);

export interface PartitionDef {
  /** A timestamp or date column; it must be part of the primary key. */
  column: string;
  interval: 'month';
  /** First monthly partition, as `YYYY-MM`. Later rows land in the DEFAULT partition. */
  from: string;
  /** How many monthly partitions the first migration creates. */
  count: number;
}

export interface TableDef {
  readonly kind: 'table';
  readonly columns: Record<string, ColumnDef>;
  readonly primaryKey?: string[];
  readonly indexes?: TableIndexDef[];
  readonly partitionBy?: PartitionDef;
}

/**
 * The embedding model that makes a collection's vectors. `polystore migrate` records it in the database, and a
 * facade on another model is refused (EMBEDDING_MODEL_MISMATCH); a change of model, dimension or storage is a
 * migration: a second vector column (Milvus: collection) beside the live one, filled by `polystore vectors reembed`.
 */
export interface EmbeddingDef {
  /** Any id the application chooses ('text-embedding-3-small', 'bge-m3@2'): what is recorded and compared. */
  readonly model: string;
  readonly dimension: number;
  /** A required string field: embedded (with `createPolystore({ embedders })`) when a record comes without a vector, and by a re-embed. */
  readonly from?: string;
}

export interface VectorCollectionDef {
  readonly kind: 'vectors';
  /** Required unless `embedding` gives it. */
  readonly dimension?: number;
  readonly metric: Metric;
  readonly index: VectorIndexDef;
  /** Scalar fields stored beside each vector and usable in filters. */
  readonly fields: Record<string, FieldDef>;
  /** A string field that scopes every read and write to one tenant. */
  readonly tenant?: string;
  readonly backend?: VectorBackend;
  /**
   * Keyword search over one string field, alone (`search({ text })`) or fused with the vector search
   * (`search({ vector, text })`). `language` is a PostgreSQL text search configuration (default 'english':
   * stemming and English stop words; 'simple' only lowercases). On pgvector a generated tsvector column with a GIN
   * index; on Milvus a BM25 function over the field, its analyzer chosen from the language.
   */
  readonly fullText?: { field: string; language?: string };
  /** Extra PostgreSQL indexes (GIN on JSON, partial); keyword search is declared with `fullText`. */
  readonly indexes?: Exclude<TableIndexDef, { using: 'vector' }>[];
  readonly embedding?: EmbeddingDef;
}

/** What prisma/schema.prisma's generator block says beside the schema's models. */
export interface PrismaDef {
  /**
   * The platforms whose query engine `prisma generate` downloads beside the client: `'native'` (the machine that
   * generates) and the deploy's, e.g. `'linux-musl-openssl-3.0.x'` (Alpine), `'rhel-openssl-3.0.x'` (AWS Lambda),
   * `'linux-arm64-openssl-3.0.x'`. Default: native only.
   */
  readonly binaryTargets?: readonly string[];
}

export interface SchemaDef {
  readonly documents?: Record<string, DocumentDef>;
  readonly tables?: Record<string, TableDef>;
  readonly vectors?: Record<string, VectorCollectionDef>;
  readonly prisma?: PrismaDef;
}

export const document = (def: Omit<DocumentDef, 'kind'>): DocumentDef => ({ kind: 'document', ...def });
export const table = (def: Omit<TableDef, 'kind'>): TableDef => ({ kind: 'table', ...def });
export const vectorCollection = (def: Omit<VectorCollectionDef, 'kind'>): VectorCollectionDef => ({
  kind: 'vectors',
  ...def,
});

/** Identity at run time; gives the schema its type and marks the file's default export. */
export function defineSchema<const S extends SchemaDef>(schema: S): S {
  return schema;
}
