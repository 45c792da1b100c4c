import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { guarded, lifecycle } from './lifecycle.js';
import { linkedIntegrity } from './linked-integrity.js';
import { cachedStore } from '../cache/cached-store.js';
import { withDocumentCache } from '../cache/document-cache.js';
import { cacheControl, openCache } from '../cache/open-cache.js';
import { settlingGenerations } from '../cache/settling-generations.js';
import type { HealthOptions } from '../operations/health-report.js';
import { cacheProbe, checkHealth, milvusProbe, mongoProbe, postgresProbe } from '../operations/health.js';
import { type MigrateDownOptions, migrateDown } from '../operations/migrate-down.js';
import { migrateStores, migrationStatus } from '../operations/migrate.js';
import type { MigrateOptions } from '../operations/migration-report.js';
import { abortable, stepCancel } from '../runtime/abortable.js';
import { CANCELLABLE, checkOperationOptions, isBoolean } from '../runtime/checks/check-operation-options.js';
import type { WriteCancel } from '../runtime/contract/write-cancel.js';
import { type EnsurePartitionsOptions, ensurePartitions } from '../operations/partitions.js';
import { checkOptions } from '../runtime/checks/check-options.js';
import { checkedStore } from '../runtime/checks/checked-store.js';
import { type TenantScope, tenantScope } from '../runtime/checks/tenant.js';
import type { PagedStore } from '../runtime/contract/backend-store.js';
import type { MongoCollectionSpec } from '../runtime/contract/mongo-spec.js';
import type { PolystoreOptions } from '../runtime/contract/options.js';
import type { TenantVectorStore, VectorCollectionDescriptor, VectorRecordBase, VectorStore } from '../runtime/contract/vector-store.js';
import { keyedSerial } from '../runtime/keyed-serial.js';
import { generationView } from '../runtime/generation-view.js';
import type { EmbeddingGenerations } from '../runtime/contract/embedding-state.js';
import { pgvectorGenerations } from '../runtime/pgvector/pgvector-generations.js';
import { milvusGenerations } from '../runtime/milvus/milvus-generations.js';
import { embeddedStore } from '../embeddings/embedded-store.js';
import { type EmbedderRunner, embeddersByModel, embedderRunner } from '../embeddings/embedder-runner.js';
import { generationSwitch } from '../embeddings/generation-switch.js';
import { embeddingStatus } from '../operations/embedding-status.js';
import { milvusLinks } from '../runtime/milvus/milvus-links.js';
import { pgvectorLinks } from '../runtime/pgvector/pgvector-links.js';
import type { EmbedderSettings } from '../runtime/contract/embedder.js';
import { withMilvusLimits } from '../runtime/milvus/milvus-limits.js';
import { createMilvusStore } from '../runtime/milvus/milvus-store.js';
import { openMilvus } from '../runtime/milvus/open-milvus.js';
import { connectDocuments, type PrismaClientClass, type PrismaClientLike } from '../runtime/mongodb/documents.js';
import { openMongo } from '../runtime/mongodb/mongo-connection.js';
import { once } from '../runtime/once.js';
import { createPgvectorStore } from '../runtime/pgvector/pgvector-store.js';
import { probeServer } from '../runtime/pgvector/server-probe.js';
import type { Connection } from '../runtime/postgres/connection.js';
import { openConnection } from '../runtime/postgres/open-connection.js';
import { primaryReads, REPLICA_SETTLE_FLOOR_MS, type ReadRouting, readYourWrites } from '../runtime/postgres/read-routing.js';
import { replicaProbes } from '../runtime/postgres/replica-probe.js';

/**
 * What generated/index.ts builds its facade from. Generic parameters come
 * from the generated record and filter types; the descriptors carry the rest.
 * `facadeUrl` is generated/index.ts's own URL: drizzle/ is its sibling.
 */
export function createRuntime<S extends Record<string, unknown>>(
  schema: S,
  facadeUrl: string,
  collections: readonly VectorCollectionDescriptor[],
  options: PolystoreOptions,
  documentCollections: readonly MongoCollectionSpec[] = [],
) {
  checkOptions(options, collections);
  const migrationsFolder = options.migrationsFolder === undefined ? fileURLToPath(new URL('../drizzle/', facadeUrl)) : resolve(options.migrationsFolder);
  const life = lifecycle();
  const milvus = openMilvus(options.milvus);
  const mongo = openMongo(options.mongodb?.url);
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
  const migrations = {
    connection: { execute: connection.execute, migrate: (folder: string, cancel?: WriteCancel) => serial('migrate', () => connection.migrate(folder, cancel)) },
    migrationsFolder,
    milvus,
    documents: mongo && documentCollections.length > 0 ? { mongo, specs: documentCollections } : undefined,
  };
  const ensureAhead = options.partitions?.ensureAhead;
  const serverTraits = once(() => probeServer(connection));
  const backendOf = (descriptor: VectorCollectionDescriptor) => options.vectorBackends?.[descriptor.name] ?? descriptor.backend;
  /** The record of a collection's embeddings, where its backend keeps it; one per collection and backend. */
  const generationRecords = new Map<string, EmbeddingGenerations>();
  const generationsOf = (descriptor: VectorCollectionDescriptor, backend = backendOf(descriptor)): EmbeddingGenerations => {
    const key = JSON.stringify([descriptor.name, backend]);
    const record = generationRecords.get(key) ?? (backend === 'pgvector' ? pgvectorGenerations(descriptor, connection, async () => (await serverTraits()).vectorLiteral) : milvusGenerations(descriptor, milvus));
    generationRecords.set(key, record);
    return record;
  };
  const recorded = (backend: 'pgvector' | 'milvus') => collections.filter((descriptor) => descriptor.embedding && backendOf(descriptor) === backend);
  const embeddingStatuses = (descriptors = collections.filter((descriptor) => descriptor.embedding)) => Promise.all(descriptors.map((descriptor) => embeddingStatus(descriptor, generationsOf(descriptor))));
  /** Before the first statement of any kind: the migrations when they are automatic, then the partitions asked to be kept ahead. */
  const migrated = once(async () => {
    if (autoMigrate) {
      await migrations.connection.migrate(migrationsFolder);
      for (const descriptor of recorded('pgvector')) await generationsOf(descriptor).record();
    }
    if (ensureAhead !== undefined) await ensurePartitions(connection, { ahead: ensureAhead });
  });
  const ready = async () => {
    await migrated();
    return serverTraits();
  };

  const server = typeof options.postgres === 'object' ? options.postgres : undefined;
  const readYourWritesMs = server?.readYourWritesMs ?? 0;
  const withReadYourWrites = readYourWrites(readYourWritesMs);
  const cache = openCache(options.cache);
  // After a write, how long the cache stores no answer a replica gave in that scope: the lag the application allows for.
  const settling = cache && (server?.replicas?.length ?? 0) > 0 ? settlingGenerations(Math.max(readYourWritesMs, REPLICA_SETTLE_FLOOR_MS)) : undefined;
  const onMilvus = () => collections.filter((descriptor) => backendOf(descriptor) === 'milvus');
  // One runner per collection and generation, shared by its stores: the concurrency and rate limits are the model's.
  const runners = new Map<string, EmbedderRunner | undefined>();
  const runnerOf = (descriptor: VectorCollectionDescriptor, column: string): EmbedderRunner | undefined => {
    const key = JSON.stringify([descriptor.name, column]);
    if (!runners.has(key)) {
      const generation = descriptor.embedding!.generations.find((candidate) => candidate.column === column)!;
      const embedder = embeddersByModel(options.embedders?.[descriptor.name], descriptor.embedding!.model).get(generation.model);
      runners.set(key, embedder && embedderRunner(embedder, generation.model, { ...generationView(descriptor, column), name: descriptor.name }));
    }
    return runners.get(key);
  };
  // Milvus records at first use, as it creates collections then; PostgreSQL's record is the migrations'.
  const milvusRecorded = new Map<string, () => Promise<unknown>>();
  const recordedBefore = (descriptor: VectorCollectionDescriptor, backend: 'pgvector' | 'milvus') => {
    if (backend === 'pgvector') return ready;
    let first = milvusRecorded.get(descriptor.name);
    if (!first) milvusRecorded.set(descriptor.name, (first = once(() => generationsOf(descriptor, backend).record())));
    return first;
  };
  /**
   * A vector store: `lifecycle(checked(routed(cache(backend))))`. Checked once, above everything: the layers below
   * take checked requests (the cache keys them). Routing is above the cache: a read it sends to the primary (a
   * write's window) bypasses the cache, whose entries may have been read on a replica. `cacheReads` false: writes
   * still invalidate.
   */
  const store = <T extends VectorRecordBase, W>(descriptor: VectorCollectionDescriptor, scope?: TenantScope, backend = backendOf(descriptor), reads: ReadRouting = withReadYourWrites, cacheReads = true): PagedStore<T, W> => {
    const onPgvector = backend === 'pgvector';
    /** The stack of one generation of embeddings (`column`), or of a collection without. */
    const stack = (view: VectorCollectionDescriptor, column?: string, otherColumn?: string, version?: () => number): PagedStore<T, W> => {
      const otherView = otherColumn === undefined ? undefined : generationView(descriptor, otherColumn);
      const backendStore = onPgvector ? createPgvectorStore<T, W>(view, connection, ready, scope, column) : createMilvusStore<T, W>(view, milvus, scope, otherView);
      const cached = cache ? cachedStore(backendStore, cache, { collection: descriptor.name, tenant: scope?.tenantId }, view, { cacheReads, settling: onPgvector ? settling : undefined, variant: column }) : backendStore;
      const routed = onPgvector ? reads(cached, JSON.stringify([descriptor.name, scope?.tenantId ?? null])) : cached;
      if (column === undefined || !version) return checkedStore(routed, onPgvector ? view : withMilvusLimits(view), scope);
      const other = otherView && { column: otherColumn!, embedder: runnerOf(descriptor, otherColumn!) };
      const from = descriptor.embedding!.from?.field;
      const embedder = runnerOf(descriptor, column);
      const embedded = embeddedStore(routed, { from, embedder, other, version });
      const embeds = from === undefined ? undefined : { model: embedder?.model ?? descriptor.embedding!.generations.find((g) => g.column === column)!.model, embedder: embedder !== undefined };
      return checkedStore(embedded, onPgvector ? view : withMilvusLimits(view), scope, embeds);
    };
    if (!descriptor.embedding) return guarded(stack(descriptor), life, descriptor.name);
    const switched = generationSwitch<T, W>(descriptor, generationsOf(descriptor, backend), recordedBefore(descriptor, backend), (column, other, version) => stack(generationView(descriptor, column), column, other, version));
    return guarded(switched, life, descriptor.name);
  };

  const caches = cacheControl(cache, collections.map((descriptor) => descriptor.name));
  const links = linkedIntegrity({
    collections,
    recordsOf: (descriptor) => (backendOf(descriptor) === 'pgvector' ? pgvectorLinks(descriptor, connection, ready) : milvusLinks(descriptor, milvus, descriptor.embedding ? generationsOf(descriptor) : undefined)),
    invalidate: (collection) => caches.clear(collection),
    mongo,
    run: life.run,
    closing: life.closing,
  });

  return {
    sql: connection.db,
    documents: async <C extends PrismaClientLike>(PrismaClient: PrismaClientClass<C>) => {
      const client = await connectDocuments(PrismaClient, options.mongodb?.url);
      return links.documents(withDocumentCache(client, cache), client);
    },
    /**
     * drizzle/'s pending migrations, each Milvus collection created or checked, then the documents' collections and
     * indexes; refused before anything when a Milvus collection drifted, or a MongoDB index did (unless `force`).
     */
    migrate: (migrate?: MigrateOptions) =>
      life.run('migrate', async () => {
        checkOperationOptions('migrate', migrate, { force: isBoolean, ...CANCELLABLE });
        const steps = async (signal: AbortSignal | undefined) => {
          const result = await migrateStores({ ...migrations, milvusCollections: onMilvus() }, migrate?.force === true, stepCancel(signal));
          // The start-up ensure may have run before the migrations made the partitioned tables.
          if (ensureAhead !== undefined) await ensurePartitions(connection, { ahead: ensureAhead, signal });
          // The embedding models, once the migrations made their columns (Milvus: their collections, made here).
          const withModels = collections.filter((descriptor) => descriptor.embedding);
          for (const descriptor of withModels) await generationsOf(descriptor).record();
          return { ...result, embeddings: await embeddingStatuses(withModels) };
        };
        return abortable('migrate', migrate, steps, "; PostgreSQL's migrations are applied whole or not at all, and each step done before the abort stays: run it again to finish");
      }),
    /** The applied migrations after `to` reversed, newest first, in one transaction; refused when a dropped table or column holds rows, unless `force`. */
    migrateDown: (down: MigrateDownOptions) => life.run('migrateDown', () => serial('migrate', () => migrateDown(connection, migrationsFolder, down))),
    /** What `migrate` would do, changing nothing. */
    migrationStatus: () =>
      life.run('migrationStatus', async () => ({
        ...(await migrationStatus({ ...migrations, milvusCollections: onMilvus() })),
        embeddings: await embeddingStatuses(),
      })),
    /** Never throws: each store's status, latency and details, each bounded by `timeoutMs`. */
    health: (health?: HealthOptions) =>
      checkHealth(
        {
          postgres: postgresProbe(connection, migrationsFolder, () => embeddingStatuses(recorded('pgvector'))),
          ...replicaProbes(connection.replicas),
          ...(options.milvus ? { milvus: milvusProbe(milvus, () => embeddingStatuses(recorded('milvus'))) } : {}),
          ...(links.mongo ? { mongodb: mongoProbe(links.mongo, links.outboxLength) } : {}),
          ...(cache?.stats().store === 'redis' ? { redis: cacheProbe(cache) } : {}),
        },
        health,
      ),
    cache: caches,
    /**
     * The links of vector collections to documents (`f.ref(model)` fields): `check` reports the records whose
     * document is gone, `sweep` deletes those older than its grace period. See docs/integrity.md.
     */
    integrity: links.integrity,
    partitions: {
      ensure: (ensure?: EnsurePartitionsOptions) =>
        life.run('partitions.ensure', async () => {
          await migrated();
          return ensurePartitions(connection, ensure);
        }),
    },
    // The stores take every kind of query (a keyword query on a collection without fullText is INVALID_QUERY); FT narrows the type.
    // E: records may come without vectors, searches with text to embed (a collection declared with embedding.from).
    vectorStore: <T extends VectorRecordBase, W, FT extends boolean = false, E extends boolean = false>(descriptor: VectorCollectionDescriptor): VectorStore<T, W, FT, E> =>
      store<T, W>(descriptor) as unknown as VectorStore<T, W, FT, E>,
    tenantVectorStore: <T extends VectorRecordBase, W, K extends keyof T & keyof W, FT extends boolean = false, E extends boolean = false>(descriptor: VectorCollectionDescriptor): TenantVectorStore<T, W, K, FT, E> => ({
      forTenant: (tenantId) => store(descriptor, tenantScope(descriptor, tenantId)) as unknown as ReturnType<TenantVectorStore<T, W, K, FT, E>['forTenant']>,
    }),
    /**
     * A collection's record of embeddings and the embedder of one of its generations (`settings` over the
     * configured one's): for `polystore vectors reembed`.
     */
    embeddings: (descriptor: VectorCollectionDescriptor) => ({
      generations: generationsOf(descriptor),
      run: <R>(operation: string, call: () => Promise<R>) => life.run(operation, async () => {
        if (backendOf(descriptor) === 'pgvector') await ready();
        return call();
      }),
      embedder: (column: string, settings: Omit<EmbedderSettings, 'embed'> = {}) => {
        const generation = descriptor.embedding!.generations.find((candidate) => candidate.column === column)!;
        const configured = embeddersByModel(options.embedders?.[descriptor.name], descriptor.embedding!.model).get(generation.model);
        if (!configured) return undefined;
        const base = typeof configured === 'object' && 'embed' in configured ? configured : { embed: configured };
        const defined = Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== undefined));
        return embedderRunner({ ...base, ...defined }, generation.model, { ...generationView(descriptor, column), name: descriptor.name });
      },
    }),
    /** Every tenant's records on a given backend, whatever the configuration says, read on the primary: for `polystore vectors copy`. */
    backendStore: <T extends VectorRecordBase>(descriptor: VectorCollectionDescriptor, backend: 'pgvector' | 'milvus') => store<T, never>(descriptor, undefined, backend, primaryReads, false),
    /** Lets calls in flight finish, then releases every connection; a second call shares the first one's work. */
    close: () =>
      life.close(async () => {
        await links.beforeClose();
        await Promise.all([connection.close(), milvus.close(), cache?.close(), mongo?.close(), links.close()]);
      }),
  };
}
