import type { PGlite } from '@electric-sql/pglite';

export interface PostgresServerOptions {
  /** postgres://user:password@host:port/database */
  url: string;
  /** Most connections the pool opens (default 10). */
  max?: number;
  /** Closes a connection idle this long, in seconds (default 30). */
  idleTimeoutSeconds?: number;
  /** Gives up connecting after this long, in seconds (default 10). */
  connectTimeoutSeconds?: number;
}

export interface PolystoreOptions {
  /** A PostgreSQL server, by URL or with pool settings. Without it, an embedded PGlite with pgvector. */
  postgres?: string | PostgresServerOptions;
  /** MongoDB for the documents; Prisma reads MONGODB_URL when absent. */
  mongodb?: { url: string };
  /**
   * The embedded PGlite: its data directory (in memory when absent), or a
   * PGlite instance of your own (with the pgvector extension), which close() leaves open.
   */
  pglite?: { dataDir?: string; client?: PGlite };
  /** Called with every statement's SQL and bound parameters. */
  logQuery?: (sql: string, params: unknown[]) => void;
  /**
   * Applies pending migrations before the first operation. Default: true on
   * the embedded PGlite (it starts empty), false on a server, where
   * migrations are a deployment step (`db.migrate()` or drizzle-kit).
   */
  autoMigrate?: boolean;
}

export const POOL_DEFAULTS = { max: 10, idleTimeoutSeconds: 30, connectTimeoutSeconds: 10 } as const;
