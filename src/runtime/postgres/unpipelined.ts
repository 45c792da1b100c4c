import type postgres from 'postgres';

/**
 * `run` on a connection reserved for it, so that nothing else is pipelined on that connection: what a pooler in
 * transaction mode needs for a statement outside a transaction. postgres.js first asks the server to describe a
 * statement with parameters, in messages ending with Flush, not Sync; pipelined behind another statement, PgBouncer
 * gives the server connection back to its pool at that statement's ReadyForQuery, and the description never comes:
 * the query waits forever, with no error (pgbouncer/pgbouncer#759). Inside a transaction the server connection stays.
 */
export async function unpipelined<R>(pool: postgres.Sql, run: (sql: postgres.Sql) => Promise<R>): Promise<R> {
  const reserved = await pool.reserve();
  try {
    return await run(reserved);
  } finally {
    reserved.release();
  }
}
