export { createRuntime } from './create-runtime.js';
export type { PolystoreDatabase } from '../runtime/postgres/connection.js';
export type { PrismaClientClass, PrismaClientLike } from '../runtime/mongodb/documents.js';
export type { PolystoreOptions, PostgresServerOptions } from '../runtime/contract/options.js';
export type { MilvusCollectionSpec, MilvusDataType, MilvusFieldSpec, MilvusFunctionSpec, MilvusIndexSpec, MilvusMetric } from '../runtime/contract/milvus-spec.js';
export type { MongoCollectionSpec, MongoIndexSpec } from '../runtime/contract/mongo-spec.js';
export type {
  FusionOptions,
  HybridSearchQuery,
  ReadOptions,
  WriteOptions,
  SearchFor,
  SearchHit,
  SearchOptions,
  SearchQuery,
  SideRank,
  TextSearchQuery,
  TenantRecord,
  TenantVectorStore,
  VectorCollectionDescriptor,
  VectorFieldKind,
  VectorRecordBase,
  VectorStore,
} from '../runtime/contract/vector-store.js';
export type {
  BooleanFilter,
  DateFilter,
  EnumFilter,
  JsonFilter,
  JsonPrimitive,
  JsonValue,
  NumberFilter,
  StringFilter,
  WhereCombinators,
} from '../runtime/contract/where.js';
export { EmbeddingError, type InputIssue, InvalidInputError, PartialWriteError, PolystoreError } from '../errors.js';
export type { CreatedPartition, EnsurePartitionsOptions, PartitionsReport, RetiredPartition } from '../operations/partitions.js';
export type { HealthOptions, HealthReport, HealthStatus, StoreHealth } from '../operations/health-report.js';
export type { DocumentCollectionState, DocumentsMigrated, MigrateOptions, MigrateResult, MigrationStatus } from '../operations/migration-report.js';
export type { DroppedData, MigrateDownOptions, MigrateDownResult } from '../operations/migrate-down.js';
export type { MigrationState } from '../runtime/postgres/migration-journal.js';
export type { CollectionState } from '../runtime/milvus/collection-state.js';
export type { CacheStats } from '../cache/cache.js';
export type { EmbeddingStatus } from '../operations/embedding-status.js';
export type { EmbedFunction, Embedder, EmbedderSettings, EmbeddersOption, EmbeddingModelLike } from '../runtime/contract/embedder.js';
export type { EmbeddedSearchQuery, EmbeddingDescriptor, GenerationDescriptor, WriteRecord } from '../runtime/contract/vector-store.js';
export type { CacheOptions, CacheSettings } from '../cache/cache-options.js';
export type { CacheControl } from '../cache/open-cache.js';
export type { CheckOptions, CollectionIntegrity, DocumentVectorsReport, Integrity, IntegrityProgress, Orphan, OrphanReason, SweepOptions } from '../integrity/integrity-options.js';
export type { DocumentLink } from '../runtime/contract/document-link.js';
