/**
 * `db.health()`: each configured store probed at once, each bounded by a timeout, never a throw. A store is
 * `up`, `degraded` (answers, but something needs doing: pending migrations, pgvector missing, an embedding model
 * not recorded or not the schema's) or `down`. A change of embedding model under way is `up`, with its progress.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { EmbeddingStatus } from './embedding-status.js';
import type { HealthOptions, HealthReport, StoreHealth } from './health-report.js';
import type { Cache } from '../cache/cache.js';
import { MAX_TIMER_MS } from '../runtime/contract/options.js';
import type { MilvusConnection } from '../runtime/milvus/milvus-connection.js';
import { serverVersion } from '../runtime/milvus/server-version.js';
import type { MongoConnection } from '../runtime/mongodb/mongo-connection.js';
import type { Connection } from '../runtime/postgres/connection.js';
import { migrationStates, rawQuery } from '../runtime/postgres/migration-journal.js';

type Probe = () => Promise<{ degraded?: string | undefined; details: Record<string, unknown> }>;
/** The embedding models of the store's collections, as recorded: absent where none declares one. */
type Embeddings = () => Promise<EmbeddingStatus[]>;

export async function checkHealth(probes: Record<string, Probe>, options: HealthOptions = {}): Promise<HealthReport> {
  // A longer wait than Node's timers take is the longest they take.
  const timeoutMs = typeof options.timeoutMs === 'number' && options.timeoutMs > 0 ? Math.min(options.timeoutMs, MAX_TIMER_MS) : 2_000;
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]): Promise<[string, StoreHealth]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs)));
      try {
        const { degraded, details } = await Promise.race([probe(), timeout]);
        const latencyMs = Math.round(performance.now() - started);
        return [name, { status: degraded ? 'degraded' : 'up', latencyMs, details, ...(degraded ? { error: degraded } : {}) }];
      } catch (error) {
        return [name, { status: 'down', latencyMs: Math.round(performance.now() - started), details: {}, error: error instanceof Error ? error.message : String(error) }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const statuses = entries.map(([, store]) => store.status);
  return { status: statuses.includes('down') ? 'down' : statuses.includes('degraded') ? 'degraded' : 'up', stores: Object.fromEntries(entries) };
}

/**
 * Each collection's model and re-embed progress; degraded where the facade refuses the collection: another model
 * recorded, or (PostgreSQL, whose record is migrate's) none. Milvus records a collection's model at its first use.
 */
async function embeddingHealth(embeddings: Embeddings | undefined, recordedByMigrate: boolean): Promise<{ degraded?: string | undefined; details: Record<string, unknown> }> {
  const statuses = (await embeddings?.()) ?? [];
  if (statuses.length === 0) return { details: {} };
  const problems = statuses.flatMap(({ collection, state, model, active }) =>
    state === 'mismatch'
      ? [`"${collection}" reads ${JSON.stringify(active)}, which the schema does not declare (${JSON.stringify(model)}): its calls are refused`]
      : state === 'unrecorded' && recordedByMigrate
        ? [`"${collection}"'s embedding model is not recorded: run db.migrate()`]
        : [],
  );
  const details = Object.fromEntries(statuses.map(({ collection, ...status }) => [collection, status]));
  return { degraded: problems.join('; ') || undefined, details: { embeddings: details } };
}

/** Two probes' findings as one: both degradations said, details merged. */
const merged = (...parts: Array<{ degraded?: string | undefined; details: Record<string, unknown> }>) => ({
  degraded: parts.map((part) => part.degraded).filter(Boolean).join('; ') || undefined,
  details: Object.assign({}, ...parts.map((part) => part.details)) as Record<string, unknown>,
});

/**
 * PostgreSQL: versions, size, connections, the migrations in `folder` the database has not applied, and the
 * embedding models of the pgvector collections.
 */
export function postgresProbe(connection: Pick<Connection<never>, 'execute' | 'port'>, folder: string, embeddings?: Embeddings): Probe {
  return async () => {
    const [[[version, pgvector, bytes, active, idle, maxConnections, serverPort]]] = await connection.execute([
      {
        sql: `select current_setting('server_version'), (select extversion from pg_extension where extname = 'vector'), pg_database_size(current_database())::text,
                     (select count(*) from pg_stat_activity where datname = current_database() and state = 'active')::int,
                     (select count(*) from pg_stat_activity where datname = current_database() and state like 'idle%')::int,
                     current_setting('max_connections')::int, inet_server_port()`,
        params: [],
      },
    ]);
    // Without drizzle/ (a probe run from another directory), the server is still up: the migrations are unknown.
    const states = existsSync(join(folder, 'meta', '_journal.json')) ? await migrationStates(folder, rawQuery(connection)) : undefined;
    const pendingMigrations = states ? states.filter((migration) => migration.state === 'pending').length : null;
    const degraded = pendingMigrations ? `${pendingMigrations} migration(s) pending: run db.migrate()` : pgvector ? undefined : 'pgvector is not installed in this database';
    // Connections as the server sees them, every client of this database included: postgres.js does not count its pool's.
    const connections = { active, idle, max: maxConnections };
    // The wire cannot tell PgBouncer from PostgreSQL; a server listening on another port than the one dialled can:
    // something forwards the connection (a pooler, or a proxy or port mapping). Null over a Unix socket or PGlite.
    const forwarded = connection.port !== undefined && serverPort !== null && Number(serverPort) !== connection.port ? { port: connection.port, serverPort: Number(serverPort) } : null;
    return merged({ degraded, details: { serverVersion: version, pgvectorVersion: pgvector ?? null, databaseBytes: Number(bytes), pendingMigrations, connections, forwarded } }, await embeddingHealth(embeddings, true));
  };
}

/**
 * Milvus: its version, the load state and row count of each collection of its database (polystore creates its own
 * on first use), and the embedding models of the Milvus collections. The row count is Milvus's statistics: rows
 * deleted since the last compaction may still count.
 */
export function milvusProbe(milvus: MilvusConnection, embeddings?: Embeddings): Probe {
  return async () => {
    const version = await serverVersion(milvus, 'health');
    const { data } = await milvus.call('health', (client) => client.listCollections());
    const collections = await Promise.all(
      data.map(async ({ name }) => {
        const [load, stats] = await Promise.all([
          milvus.call('health', (client) => client.getLoadState({ collection_name: name }), name),
          milvus.call('health', (client) => client.getCollectionStatistics({ collection_name: name }), name),
        ]);
        return [name, { loadState: load.state, rowCount: Number(stats.data.row_count) }] as const;
      }),
    );
    return merged({ details: { serverVersion: version, collections: Object.fromEntries(collections) } }, await embeddingHealth(embeddings, false));
  };
}

/** MongoDB: a ping, and the server's version. */
/** Above this many entries waiting in the cascade's outbox, MongoDB is degraded (any that failed degrades it too). */
export const OUTBOX_DEGRADED_ABOVE = 100;

/** `outbox`: the length of the cascade's outbox, with links to documents: vectors of deleted documents not yet deleted. */
export function mongoProbe(mongo: MongoConnection, outbox?: () => Promise<{ pending: number; failed: number }>): Probe {
  return async () => {
    const db = await mongo.db();
    await db.command({ ping: 1 });
    const { version } = await db.admin().command({ buildInfo: 1 });
    if (!outbox) return { details: { version } };
    const length = await outbox();
    const degraded =
      length.failed > 0
        ? `the cascade's outbox holds ${length.failed} failed deliveries: vectors of deleted documents are still searchable until a delete, close() or integrity check delivers them`
        : length.pending > OUTBOX_DEGRADED_ABOVE && `the cascade's outbox holds ${length.pending} entries (more than ${OUTBOX_DEGRADED_ABOVE})`;
    return { degraded: degraded || undefined, details: { version, outbox: length } };
  };
}

/** The cache's Redis: a PING through the cache's own client (the cache itself never fails a call: see `cache.stats()`). */
export function cacheProbe(cache: Pick<Cache, 'ping' | 'stats'>): Probe {
  return async () => {
    await cache.ping();
    const { breaker, hits, misses, errors, lastWriteError } = cache.stats();
    const degraded = breaker !== 'closed' ? `the cache's circuit breaker is ${breaker}: calls skip Redis` : lastWriteError && `the cache's latest write to Redis failed (${lastWriteError}): answers may not be cached`;
    return { degraded: degraded || undefined, details: { breaker, hits, misses, errors } };
  };
}
