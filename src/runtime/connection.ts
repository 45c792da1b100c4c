import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { POOL_DEFAULTS, type PolystoreOptions } from './options.js';

export type PolystoreDatabase<S extends Record<string, unknown> = Record<string, never>> = PgDatabase<PgQueryResultHKT, S>;

/** One PostgreSQL, embedded or a server, behind Drizzle. */
export interface Connection<S extends Record<string, unknown>> {
  kind: 'pglite' | 'postgres';
  db: PolystoreDatabase<S>;
  migrate(migrationsFolder: string): Promise<void>;
  close(): Promise<void>;
}

export function openConnection<S extends Record<string, unknown>>(schema: S, options: PolystoreOptions): Connection<S> {
  const logger = options.logQuery ? { logQuery: options.logQuery } : undefined;
  if (options.postgres !== undefined) {
    const server = typeof options.postgres === 'string' ? { url: options.postgres } : options.postgres;
    const client = postgres(server.url, {
      max: server.max ?? POOL_DEFAULTS.max,
      idle_timeout: server.idleTimeoutSeconds ?? POOL_DEFAULTS.idleTimeoutSeconds,
      connect_timeout: server.connectTimeoutSeconds ?? POOL_DEFAULTS.connectTimeoutSeconds,
      onnotice: () => {},
    });
    const db = drizzlePostgres({ client, schema, logger });
    return {
      kind: 'postgres',
      db,
      migrate: (migrationsFolder) => migratePostgres(db, { migrationsFolder }),
      close: () => client.end(),
    };
  }
  const owned = options.pglite?.client === undefined;
  const client = options.pglite?.client ?? new PGlite({ dataDir: options.pglite?.dataDir, extensions: { vector } });
  const db = drizzlePglite({ client, schema, logger });
  return {
    kind: 'pglite',
    db,
    migrate: (migrationsFolder) => migratePglite(db, { migrationsFolder }),
    close: () => (owned ? client.close() : Promise.resolve()),
  };
}
