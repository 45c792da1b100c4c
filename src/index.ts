export { defineConfig, type PolystoreConfig } from './schema/config.js';
export { col, type ColumnDef, type ColumnType } from './schema/column.js';
export {
  defineSchema,
  document,
  table,
  vectorCollection,
  type DocumentDef,
  type DocumentIndexDef,
  type IndexPredicate,
  type Metric,
  type PartitionDef,
  type SchemaDef,
  type TableDef,
  type TableIndexDef,
  type VectorBackend,
  type VectorCollectionDef,
  type VectorIndexDef,
} from './schema/define.js';
export { f, type FieldDef, type FieldType } from './schema/field.js';
export { EmbeddingError, formatIssue, type InputIssue, InvalidInputError, PartialWriteError, PolystoreError, type SchemaIssue, type SchemaIssueCode, SchemaValidationError } from './errors.js';
export type { MilvusCollectionSpec, MilvusFieldSpec, MilvusIndexSpec } from './runtime/contract/milvus-spec.js';
