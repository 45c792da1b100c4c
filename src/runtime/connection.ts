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

/** A statement as Drizzle compiles it: text with $n placeholders, and the values to bind. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** One PostgreSQL, embedded or a server, behind Drizzle. */
export interface Connection<S extends Record<string, unknown>> {
  kind: 'pglite' | 'postgres';
  db: PolystoreDatabase<S>;
  /**
   * Runs statements in one transaction (none for a single one) straight on the driver, as prepared
   * statements, and returns each one's rows as arrays: the vector stores' statements, for which Drizzle's
   * own execution costs about 0.5 ms a statement on PGlite. `check` sees each statement's rows inside the
   * transaction: throwing there rolls the whole transaction back.
   */
  execute(statements: Statement[], check?: (rows: unknown[][], index: number) => void): Promise<unknown[][][]>;
  migrate(migrationsFolder: string): Promise<void>;
  close(): Promise<void>;
}

async function inTransaction(statements: Statement[], check: ((rows: unknown[][], index: number) => void) | undefined, run: (statement: Statement) => Promise<unknown[][]>) {
  const results: unknown[][][] = [];
  for (const [index, statement] of statements.entries()) {
    const rows = await run(statement);
    check?.(rows, index);
    results.push(rows);
  }
  return results;
}

export function openConnection<S extends Record<string, unknown>>(schema: S, options: PolystoreOptions): Connection<S> {
  const logger = options.logQuery ? { logQuery: options.logQuery } : undefined;
  const log = (statements: Statement[]) => statements.forEach((statement) => options.logQuery?.(statement.sql, statement.params));
  if (options.postgres !== undefined) {
    const server = typeof options.postgres === 'string' ? { url: options.postgres } : options.postgres;
    const client = postgres(server.url, {
      max: server.max ?? POOL_DEFAULTS.max,
      idle_timeout: server.idleTimeoutSeconds ?? POOL_DEFAULTS.idleTimeoutSeconds,
      connect_timeout: server.connectTimeoutSeconds ?? POOL_DEFAULTS.connectTimeoutSeconds,
      onnotice: () => {},
    });
    const db = drizzlePostgres({ client, schema, logger });
    const run = (sql: postgres.Sql | postgres.TransactionSql, statement: Statement) =>
      sql.unsafe(statement.sql, statement.params as postgres.ParameterOrJSON<never>[], { prepare: true }).values();
    return {
      kind: 'postgres',
      db,
      async execute(statements, check) {
        log(statements);
        if (statements.length === 1 && !check) return [await run(client, statements[0])];
        return (await client.begin(async (tx) => inTransaction(statements, check, (statement) => run(tx, statement)))) as unknown[][][];
      },
      migrate: (migrationsFolder) => migratePostgres(db, { migrationsFolder }),
      close: () => client.end(),
    };
  }
  const owned = options.pglite?.client === undefined;
  const client = options.pglite?.client ?? new PGlite({ dataDir: options.pglite?.dataDir, extensions: { vector } });
  const db = drizzlePglite({ client, schema, logger });
  const run = async (pg: Pick<PGlite, 'query'>, statement: Statement) => (await pg.query<unknown[]>(statement.sql, statement.params, { rowMode: 'array' })).rows;
  return {
    kind: 'pglite',
    db,
    async execute(statements, check) {
      log(statements);
      if (statements.length === 1 && !check) return [await run(client, statements[0])];
      return client.transaction((tx) => inTransaction(statements, check, (statement) => run(tx, statement)));
    },
    migrate: (migrationsFolder) => migratePglite(db, { migrationsFolder }),
    close: () => (owned ? client.close() : Promise.resolve()),
  };
}
