import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { applyMigrations } from './applied-migrations.js';
import type { Connection, RowCheck, Statement } from './connection.js';
import { type Gate, gatedPglite } from './gated-client.js';
import { inTransaction } from './in-transaction.js';
import type { ConnectionOptions } from '../contract/options.js';
import type { WriteCancel } from '../contract/write-cancel.js';

/** The type OID of timestamptz. */
const TIMESTAMPTZ = 1184;

/** The embedded PGlite, in-process: its own, or the application's (which close() leaves open). */
export function pgliteConnection<S extends Record<string, unknown>>(schema: S, options: Pick<ConnectionOptions, 'pglite' | 'logQuery'>, gate: Gate): Connection<S> {
  const logger = options.logQuery ? { logQuery: options.logQuery } : undefined;
  const log = (statements: Statement[]) => statements.forEach((statement) => options.logQuery?.(statement.sql, statement.params));
  const owned = options.pglite?.client === undefined;
  const client = options.pglite?.client ?? new PGlite({ dataDir: options.pglite?.dataDir, extensions: { vector } });
  const db = drizzlePglite({ client: gatedPglite(client, gate), schema, logger });
  // timestamptz as text, which the stores read as ISO 8601: PGlite's own parser reads years below 100 as 19xx or 20xx.
  const parsers = { [TIMESTAMPTZ]: (text: string) => text };
  const run = async (pg: Pick<PGlite, 'query'>, statement: Statement) => (await pg.query<unknown[]>(statement.sql, statement.params, { rowMode: 'array', parsers })).rows;
  // In-process, a statement cannot be cancelled: a write given up before its commit is rolled back at its end.
  const execute = async (statements: Statement[], check?: RowCheck, cancel?: WriteCancel) => {
    log(statements);
    if (statements.length === 1 && !check && !cancel) return [await run(client, statements[0])];
    return client.transaction(async (tx) => {
      const results = await inTransaction(statements, check, (statement) => run(tx, statement));
      cancel?.commit();
      return results;
    });
  };
  return {
    kind: 'pglite',
    db,
    execute,
    // PGlite has no replicas.
    // In-process: a read cannot be cancelled, only kept from starting once aborted.
    read: async (statements, options) => {
      options?.signal?.throwIfAborted();
      return execute(statements);
    },
    replicas: [],
    async copyIn(before, copy, after, check, cancel) {
      const sql = `COPY ${copy.into} FROM '/dev/blob' (FORMAT binary)`;
      log([...before, { sql, params: [] }, ...after]);
      return client.transaction(async (tx) => {
        for (const statement of before) await run(tx, statement);
        await tx.query(sql, [], { blob: new Blob([copy.data]) });
        const results = await inTransaction(after, check, (statement) => run(tx, statement));
        cancel?.commit();
        return results;
      });
    },
    // One PGlite belongs to one process: `once` in the runtime is its lock.
    // In-process, a migration once begun runs to its end: `cancel` is looked at only before.
    migrate: async (migrationsFolder, cancel) => {
      cancel?.commit();
      return applyMigrations(
        migrationsFolder,
        async (sql) => (await client.query<unknown[]>(sql, [], { rowMode: 'array' })).rows,
        (logger) => migratePglite(drizzlePglite({ client, logger }), { migrationsFolder }),
      );
    },
    close: () => (owned ? client.close() : Promise.resolve()),
  };
}
