/**
 * The intermediate form: a validated, normalised schema with every name
 * resolved. Emitters read only this, never the user's definitions.
 */
import type { ColumnType } from '../src/schema/column.js';
import type { Metric, SortOrder, VectorBackend } from '../src/schema/define.js';
import type { MilvusCollectionSpec } from '../src/runtime/contract/milvus-spec.js';
import type { EmbeddingGeneration } from '../src/schema/embedding-generations.js';
import type { DocumentLink } from '../src/runtime/contract/document-link.js';

export interface SchemaIR {
  documents: DocumentIR[];
  tables: TableIR[];
  vectors: VectorCollectionIR[];
  /** prisma/schema.prisma's generator block: the engines' platforms, when the schema names them. */
  prisma?: { binaryTargets: string[] };
}

// ── documents ────────────────────────────────────────────────────────────
export type DocTypeIR =
  | { kind: 'string' | 'int' | 'bigint' | 'float' | 'boolean' | 'datetime' | 'json' }
  | { kind: 'enum'; values: string[] }
  | { kind: 'ref'; target: string; relation?: string; inverse: string }
  | { kind: 'object'; fields: DocFieldIR[] }
  | { kind: 'array'; of: DocTypeIR };

export interface DocFieldIR {
  name: string;
  /** Key in the stored document, when it differs from `name`. */
  storedName?: string;
  type: DocTypeIR;
  optional: boolean;
  unique: boolean;
  indexed: boolean;
  default?: string | number | boolean | { now: true } | { json: unknown };
}

export type DocIndexIR =
  | { kind: 'plain'; fields: Array<{ path: string; order: SortOrder }>; unique: boolean; expireAfterSeconds?: number }
  | { kind: 'text'; fields: string[] };

export interface DocumentIR {
  name: string;
  collection?: string;
  fields: DocFieldIR[];
  timestamps: boolean;
  indexes: DocIndexIR[];
  /** By vector collection, the stored path of the field that lists the ids of the document's vectors. */
  vectorIds?: Record<string, string>;
}

// ── PostgreSQL tables ────────────────────────────────────────────────────
export type ColumnTypeIR =
  | Exclude<ColumnType, { kind: 'vector' }>
  | { kind: 'vector'; dimensions: number; storage: 'vector' | 'halfvec' }
  /** Generated from `source`'s text with the text search configuration `language`. */
  | { kind: 'tsvector'; source: string; language: string };

export interface ColumnIR {
  /** SQL name. */
  name: string;
  /** Property name in TypeScript. */
  tsName: string;
  type: ColumnTypeIR;
  notNull: boolean;
  primaryKey: boolean;
  unique: boolean;
  default?: string | number | boolean | { now: true } | { randomUuid: true };
}

export type PredicateIR =
  | { column: string; op: 'isNotNull' | 'isNull' }
  | { column: string; op: 'equals'; value: string | number | boolean };

export type IndexPartIR =
  | { kind: 'column'; column: string; order?: SortOrder; nulls?: 'first' | 'last'; opclass?: string }
  | { kind: 'tsvector'; column: string; language: string };

export interface TableIndexIR {
  name: string;
  method: 'btree' | 'gin' | 'brin' | 'hnsw' | 'ivfflat';
  unique: boolean;
  parts: IndexPartIR[];
  with?: Array<[string, number]>;
  where?: PredicateIR;
}

export interface TableIR {
  /** SQL name. */
  name: string;
  /** Exported constant in drizzle/schema.ts. */
  exportName: string;
  columns: ColumnIR[];
  /** Composite primary key (SQL names); single-column keys live on the column. */
  primaryKey?: string[];
  indexes: TableIndexIR[];
  partition?: { column: string; months: string[] };
}

// ── vector collections ───────────────────────────────────────────────────
export type VectorFieldTypeIR =
  | { kind: 'string'; maxLength: number }
  | { kind: 'int' | 'float' | 'boolean' | 'datetime' | 'json' }
  | { kind: 'enum'; values: string[] };

export interface VectorFieldIR {
  name: string;
  column: string;
  type: VectorFieldTypeIR;
  optional: boolean;
  indexed: boolean;
  /** An `f.ref(model)`: a string holding a document's id. */
  link?: DocumentLink;
}

export interface EmbeddingIR {
  model: string;
  /** The text field embedded when a record comes without a vector. */
  from?: { field: string; column: string };
  /** Every generation recorded, dropped ones too: drizzle/meta/polystore_embeddings.json. */
  recorded: EmbeddingGeneration[];
  /** The generations the collection holds (a vector column or Milvus collection each), oldest first. */
  generations: EmbeddingGeneration[];
  /** The column of the schema's generation. */
  column: string;
}

export interface VectorCollectionIR {
  name: string;
  dimension: number;
  metric: Metric;
  indexType: 'hnsw' | 'ivfflat' | 'flat';
  indexParams: Record<string, number>;
  storage: 'vector' | 'halfvec';
  backend: VectorBackend;
  /** Name of the tenant field, when the collection is multi-tenant. */
  tenant?: string;
  /** Keyword search: the field (TypeScript name), its language, and the tsvector column / sparse field. */
  fullText?: { field: string; language: string; column: string };
  fields: VectorFieldIR[];
  table: TableIR;
  milvus: MilvusCollectionSpec;
  embedding?: EmbeddingIR;
}
