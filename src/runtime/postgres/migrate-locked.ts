import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type postgres from 'postgres';
import { applyMigrations, databaseError, serverWords } from './applied-migrations.js';
import { PolystoreError } from '../../errors.js';
import type { WriteCancel } from '../contract/write-cancel.js';
import { cancelOnAbort } from './cancel-on-abort.js';

/** Advisory lock key that every polystore process migrating one database takes ("polystore" in ASCII, 0x706f6c7973746f72). */
export const MIGRATION_LOCK = '8101813523546664818';

/**
 * Drizzle's migrator under a PostgreSQL advisory lock, so that replicas migrating at start-up take turns: the
 * first applies the migrations, the others then find nothing pending. The lock is the transaction's, taken first in
 * the transaction the migrator runs in: nothing depends on a session outliving a transaction, as a pooler in
 * transaction mode (PgBouncer) needs; `migrate down` and `partitions ensure` take the same one. Read committed, so
 * that once a process holds the lock it sees what the one before it committed. Resolves to the tags it applied.
 */
export async function migrateLocked(client: postgres.Sql, migrationsFolder: string, cancel?: WriteCancel): Promise<string[]> {
  return (await client.begin('isolation level read committed', async (tx) => {
    // The wait for the lock is cancelled on the server (the one query of its connection then); a migration's own
    // statements run on, and its commit is refused.
    const lock = tx.unsafe(`select pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await cancelOnAbort(tx, lock, cancel?.signal, async () => lock).catch((error: unknown) => Promise.reject(lockFailure(error)));
    // The migrator opens its own transaction through `begin` (and reads `options`): it runs inside this one.
    const locked = Object.assign(tx, { begin: (run: (sql: postgres.TransactionSql) => Promise<unknown>) => run(tx), options: client.options }) as unknown as postgres.Sql;
    const applied = await applyMigrations(migrationsFolder, (sql) => tx.unsafe(sql).values(), (logger) => migratePostgres(drizzlePostgres({ client: locked, logger }), { migrationsFolder }));
    cancel?.commit();
    return applied;
  })) as string[];
}


/** The lock waits for the process migrating now; the database's or role's `lock_timeout` may end that wait. */
function lockFailure(error: unknown): unknown {
  if ((error as { code?: unknown }).code !== '55P03') return databaseError(error);
  return new PolystoreError('LOCK_TIMEOUT', `migrate: another process holds the migration lock (pg_advisory_xact_lock(${MIGRATION_LOCK})) for longer than lock_timeout allows: ${serverWords(error)}; nothing was applied. Run it again once that one finished.`, { cause: error });
}
