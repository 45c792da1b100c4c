import { fileURLToPath } from 'node:url';
import { openConnection } from './connection.js';
import { connectDocuments, type PrismaClientClass, type PrismaClientLike } from './documents.js';
import type { PolystoreOptions } from './options.js';
import { createPgvectorStore } from './pgvector/pgvector-store.js';
import { type TenantScope, tenantScope } from './tenant.js';
import { PolystoreError } from '../errors.js';
import type { TenantVectorStore, VectorCollectionDescriptor, VectorRecordBase, VectorStore } from './vector-store.js';

/** The facade still opens when a collection's backend is missing; every call on that collection says why. */
function unavailable<T extends VectorRecordBase, W>(descriptor: VectorCollectionDescriptor): VectorStore<T, W> {
  const fail = () => Promise.reject(new PolystoreError('BACKEND_UNAVAILABLE', `"${descriptor.name}" is on the ${descriptor.backend} backend, which this version cannot open yet`));
  return { insert: fail, upsert: fail, search: fail, get: fail, count: fail, update: fail, delete: fail };
}

/**
 * What generated/index.ts builds its facade from. Generic parameters come
 * from the generated record and filter types; the descriptors carry the rest.
 * `facadeUrl` is generated/index.ts's own URL: drizzle/ is its sibling.
 */
export function createRuntime<S extends Record<string, unknown>>(schema: S, facadeUrl: string, options: PolystoreOptions) {
  const migrationsFolder = fileURLToPath(new URL('../drizzle/', facadeUrl));
  const connection = openConnection(schema, options);
  const autoMigrate = options.autoMigrate ?? connection.kind === 'pglite';
  let migration: Promise<void> | undefined;
  const migrate = () => (migration ??= connection.migrate(migrationsFolder).catch((error: unknown) => {
    migration = undefined;
    throw error;
  }));
  const ready = () => (autoMigrate ? migrate() : Promise.resolve());

  const store = <T extends VectorRecordBase, W>(descriptor: VectorCollectionDescriptor, scope?: TenantScope): VectorStore<T, W> =>
    descriptor.backend === 'pgvector' ? createPgvectorStore<T, W>(descriptor, connection, ready, scope) : unavailable(descriptor);

  return {
    sql: connection.db,
    documents: <C extends PrismaClientLike>(PrismaClient: PrismaClientClass<C>) => connectDocuments(PrismaClient, options.mongodb?.url),
    migrate,
    vectorStore: <T extends VectorRecordBase, W>(descriptor: VectorCollectionDescriptor) => store<T, W>(descriptor),
    tenantVectorStore: <T extends VectorRecordBase, W, K extends keyof T & keyof W>(descriptor: VectorCollectionDescriptor): TenantVectorStore<T, W, K> => ({
      forTenant: (tenantId) => store(descriptor, tenantScope(descriptor, tenantId)),
    }),
    close: () => connection.close(),
  };
}
