/**
 * `db.health()`: each configured store probed at once, each bounded by a timeout, never a throw. A store is
 * `up`, `degraded` (answers, but something needs doing: pending migrations, pgvector missing) or `down`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthOptions, HealthReport, StoreHealth } from './health-report.js';
import type { Cache } from '../cache/cache.js';
import { MAX_TIMER_MS } from '../runtime/contract/options.js';
import type { MilvusConnection } from '../runtime/milvus/milvus-connection.js';
import { serverVersion } from '../runtime/milvus/server-version.js';
import type { MongoConnection } from '../runtime/mongodb/mongo-connection.js';
import type { Connection } from '../runtime/postgres/connection.js';
import { migrationStates, rawQuery } from '../runtime/postgres/migration-journal.js';

type Probe = () => Promise<{ degraded?: string | undefined; details: Record<string, unknown> }>;

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

/** PostgreSQL: versions, size, connections, and the migrations in `folder` the database has not applied. */
export function postgresProbe(connection: Pick<Connection<never>, 'execute'>, folder: string): Probe {
  return async () => {
    const [[[version, pgvector, bytes, active, idle, maxConnections]]] = await connection.execute([
      {
        sql: `select current_setting('server_version'), (select extversion from pg_extension where extname = 'vector'), pg_database_size(current_database())::text,
                     (select count(*) from pg_stat_activity where datname = current_database() and state = 'active')::int,
                     (select count(*) from pg_stat_activity where datname = current_database() and state like 'idle%')::int,
                     current_setting('max_connections')::int`,
        params: [],
      },
    ]);
    // Without drizzle/ (a probe run from another directory), the server is still up: the migrations are unknown.
    const states = existsSync(join(folder, 'meta', '_journal.json')) ? await migrationStates(folder, rawQuery(connection)) : undefined;
    const pendingMigrations = states ? states.filter((migration) => migration.state === 'pending').length : null;
    const degraded = pendingMigrations ? `${pendingMigrations} migration(s) pending: run db.migrate()` : pgvector ? undefined : 'pgvector is not installed in this database';
    // Connections as the server sees them, every client of this database included: postgres.js does not count its pool's.
    const connections = { active, idle, max: maxConnections };
    return { degraded, details: { serverVersion: version, pgvectorVersion: pgvector ?? null, databaseBytes: Number(bytes), pendingMigrations, connections } };
  };
}

/**
 * Milvus: its version, and the load state and row count of each collection of its database (polystore creates its own
 * on first use). The row count is Milvus's statistics: rows deleted since the last compaction may still count.
 */
export function milvusProbe(milvus: MilvusConnection): Probe {
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
    return { details: { serverVersion: version, collections: Object.fromEntries(collections) } };
  };
}

/** MongoDB: a ping, and the server's version. */
export function mongoProbe(mongo: MongoConnection): Probe {
  return async () => {
    const db = await mongo.db();
    await db.command({ ping: 1 });
    const { version } = await db.admin().command({ buildInfo: 1 });
    return { details: { version } };
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
