import { fileURLToPath } from 'node:url';
import { checkHealth, type HealthOptions, milvusProbe, postgresProbe } from '../operations/health.js';
import { type EnsurePartitionsOptions, ensurePartitions } from '../operations/partitions.js';
import { migrateStores, migrationStatus } from '../operations/migrate.js';
import { checkOptions } from './check-options.js';
import { type Connection, openConnection } from './connection.js';
import { connectDocuments, type PrismaClientClass, type PrismaClientLike } from './documents.js';
import type { PolystoreOptions } from './options.js';
import { createPgvectorStore } from './pgvector/pgvector-store.js';
import { probeServer } from './pgvector/server-probe.js';
import { openMilvus } from './milvus/milvus-connection.js';
import { createMilvusStore } from './milvus/milvus-store.js';
import { keyedSerial } from './keyed-serial.js';
import { guarded, lifecycle } from './lifecycle.js';
import { once } from './once.js';
import { type TenantScope, tenantScope } from './tenant.js';
import type { BackendStore, TenantVectorStore, VectorCollectionDescriptor, VectorRecordBase } from './vector-store.js';

/**
 * What generated/index.ts builds its facade from. Generic parameters come
 * from the generated record and filter types; the descriptors carry the rest.
 * `facadeUrl` is generated/index.ts's own URL: drizzle/ is its sibling.
 */
export function createRuntime<S extends Record<string, unknown>>(schema: S, facadeUrl: string, collections: readonly VectorCollectionDescriptor[], options: PolystoreOptions) {
  checkOptions(options, collections.map((descriptor) => descriptor.name));
  const migrationsFolder = fileURLToPath(new URL('../drizzle/', facadeUrl));
  const life = lifecycle();
  const milvus = openMilvus(options.milvus);
  // `db.sql` waits for the automatic migrations as the vector stores do: its tables exist before its first query.
  const connection: Connection<S> = openConnection(schema, options, (query) =>
    life.run('sql', async () => {
      await migrated();
      return query();
    }),
  );
  const autoMigrate = options.autoMigrate ?? connection.kind === 'pglite';
  // Migrations of one facade take turns (on a server, processes take turns under the advisory lock).
  const serial = keyedSerial();
  const migrations = { connection: { execute: connection.execute, migrate: (folder: string) => serial('migrate', () => connection.migrate(folder)) }, migrationsFolder, milvus };
  const automatic = once(() => migrations.connection.migrate(migrationsFolder));
  /** The migrations, when they are automatic: before the first statement of any kind. */
  const migrated = async () => {
    if (autoMigrate) await automatic();
  };
  const serverTraits = once(() => probeServer(connection));
  const ready = async () => {
    await migrated();
    return serverTraits();
  };

  const backendOf = (descriptor: VectorCollectionDescriptor) => options.vectorBackends?.[descriptor.name] ?? descriptor.backend;
  const onMilvus = () => collections.filter((descriptor) => backendOf(descriptor) === 'milvus');
  const store = <T extends VectorRecordBase, W>(descriptor: VectorCollectionDescriptor, scope?: TenantScope, backend = backendOf(descriptor)): BackendStore<T, W> =>
    guarded(backend === 'milvus' ? createMilvusStore<T, W>(descriptor, milvus, scope) : createPgvectorStore<T, W>(descriptor, connection, ready, scope), life, descriptor.name);

  return {
    sql: connection.db,
    documents: <C extends PrismaClientLike>(PrismaClient: PrismaClientClass<C>) => connectDocuments(PrismaClient, options.mongodb?.url),
    /** drizzle/'s pending migrations, then each Milvus collection created or checked; refused before anything when one drifted. */
    migrate: () => life.run('migrate', () => migrateStores({ ...migrations, milvusCollections: onMilvus() })),
    /** What `migrate` would do, changing nothing. */
    migrationStatus: () => life.run('migrationStatus', () => migrationStatus({ ...migrations, milvusCollections: onMilvus() })),
    /** Never throws: each store's status, latency and details, each bounded by `timeoutMs`. */
    health: (health?: HealthOptions) => checkHealth({ postgres: postgresProbe(connection, migrationsFolder), ...(options.milvus ? { milvus: milvusProbe(milvus) } : {}) }, health),
    partitions: {
      ensure: (ensure?: EnsurePartitionsOptions) =>
        life.run('partitions.ensure', async () => {
          await migrated();
          return ensurePartitions(connection, ensure);
        }),
    },
    vectorStore: <T extends VectorRecordBase, W>(descriptor: VectorCollectionDescriptor) => store<T, W>(descriptor),
    tenantVectorStore: <T extends VectorRecordBase, W, K extends keyof T & keyof W>(descriptor: VectorCollectionDescriptor): TenantVectorStore<T, W, K> => ({
      forTenant: (tenantId) => store(descriptor, tenantScope(descriptor, tenantId)),
    }),
    /** Every tenant's records on a given backend, whatever the configuration says: for `polystore vectors copy`. */
    backendStore: <T extends VectorRecordBase>(descriptor: VectorCollectionDescriptor, backend: 'pgvector' | 'milvus') => store<T, never>(descriptor, undefined, backend),
    /** Lets calls in flight finish, then releases every connection; a second call shares the first one's work. */
    close: () => life.close(async () => void (await Promise.all([connection.close(), milvus.close()]))),
  };
}
