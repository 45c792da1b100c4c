import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import type postgres from 'postgres';
import { pendingTags } from './migration-journal.js';

/** Session-level advisory lock key that every polystore process migrating one database takes ("polystore" in ASCII, 0x706f6c7973746f72). */
export const MIGRATION_LOCK = '8101813523546664818';

/**
 * Drizzle's migrator under a PostgreSQL advisory lock, so that replicas migrating at start-up take turns: the
 * first applies the migrations, the others then find nothing pending. The migrator runs on the connection that
 * holds the lock (a pool of one cannot lend a second), which needs `begin` and `options`, as postgres.js gives
 * them to the pool but not to a reserved connection. Resolves to the tags of the migrations it applied.
 */
export async function migrateLocked(client: postgres.Sql, migrationsFolder: string): Promise<string[]> {
  const reserved = await client.reserve();
  try {
    await reserved.unsafe(`select pg_advisory_lock(${MIGRATION_LOCK})`);
    const begin = async (run: (sql: postgres.Sql) => Promise<unknown>) => {
      await reserved.unsafe('begin');
      try {
        const result = await run(reserved);
        await reserved.unsafe('commit');
        return result;
      } catch (error) {
        await reserved.unsafe('rollback');
        throw error;
      }
    };
    const locked = Object.assign(reserved, { begin, options: client.options }) as unknown as postgres.Sql;
    const pending = await pendingTags(migrationsFolder, (sql) => reserved.unsafe(sql).values());
    await migratePostgres(drizzlePostgres({ client: locked }), { migrationsFolder });
    return pending;
  } finally {
    // A dead connection drops its lock by itself.
    await reserved.unsafe(`select pg_advisory_unlock(${MIGRATION_LOCK})`).catch(() => undefined);
    reserved.release();
  }
}
