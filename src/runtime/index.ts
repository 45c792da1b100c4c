export { createRuntime } from './create-runtime.js';
export type { PolystoreDatabase } from './connection.js';
export type { PrismaClientClass, PrismaClientLike } from './documents.js';
export type { PolystoreOptions, PostgresServerOptions } from './options.js';
export type { MilvusCollectionSpec, MilvusDataType, MilvusFieldSpec, MilvusFunctionSpec, MilvusIndexSpec, MilvusMetric } from './milvus-spec.js';
export type { MongoCollectionSpec, MongoIndexSpec } from './mongo-spec.js';
export type {
  FusionOptions,
  HybridSearchQuery,
  ReadOptions,
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
} from './vector-store.js';
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
} from './where.js';
export { PolystoreError } from '../errors.js';
export type { CreatedPartition, EnsurePartitionsOptions, PartitionsReport, RetiredPartition } from '../operations/partitions.js';
export type { HealthOptions, HealthReport, HealthStatus, StoreHealth } from '../operations/health-report.js';
export type { DocumentCollectionState, DocumentsMigrated, MigrateResult, MigrationStatus } from '../operations/migration-report.js';
export type { DroppedData, MigrateDownOptions, MigrateDownResult } from '../operations/migrate-down.js';
export type { MigrationState } from './migration-journal.js';
export type { CollectionState } from './milvus/collection-state.js';
export type { CacheStats } from '../cache/cache.js';
export type { CacheOptions, CacheSettings } from '../cache/cache-options.js';
export type { CacheControl } from '../cache/open-cache.js';
