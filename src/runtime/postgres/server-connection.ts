import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import type { Connection, RowCheck, Statement } from './connection.js';
import { cancelOnAbort } from './cancel-on-abort.js';
import { copyInto } from './copy-into.js';
import { type Gate, gatedPostgres } from './gated-client.js';
import { inTransaction } from './in-transaction.js';
import { migrateLocked } from './migrate-locked.js';
import { noDelaySocket } from './no-delay-socket.js';
import { replicaRoute } from './replica-route.js';
import { failUnanswered } from './unanswered-socket.js';
import { unpipelined } from './unpipelined.js';
import type { WriteCancel } from '../contract/write-cancel.js';
import { POOL_DEFAULTS, type ConnectionOptions, type PostgresServerOptions } from '../contract/options.js';

/**
 * Whether statements are named: `prepare`, else the URL's `?prepare=false` (as postgres.js reads it), which is all
 * a CLI flag or an environment variable can say.
 */
function prepares(server: PostgresServerOptions): boolean {
  if (server.prepare !== undefined) return server.prepare;
  return !URL.canParse(server.url) || new URL(server.url).searchParams.get('prepare') !== 'false';
}

/** A pool to `url` (the primary or a replica) with `server`'s settings. */
function openPool(url: string, server: PostgresServerOptions, prepare: boolean): postgres.Sql {
  return postgres(url, {
    max: server.max ?? POOL_DEFAULTS.max,
    idle_timeout: server.idleTimeoutSeconds ?? POOL_DEFAULTS.idleTimeoutSeconds,
    connect_timeout: server.connectTimeoutSeconds ?? POOL_DEFAULTS.connectTimeoutSeconds,
    // Off, no statement is named: a pooler in transaction mode may run the next one on another server connection.
    prepare,
    onnotice: () => {},
    // What the stores read back as text must not depend on the server's or the database's settings: timestamps
    // in UTC and ISO order (a DateStyle of 'SQL, DMY' swaps day and month), floats with every digit.
    connection: { TimeZone: 'UTC', DateStyle: 'ISO, MDY', extra_float_digits: '1' },
    // A list of hosts keeps postgres.js's own sockets, and their failover. (`socket` is missing from its types.)
    ...((/^[^/]*\/\/[^/?]*,/.test(url) ? {} : { socket: failUnanswered(noDelaySocket(server.connectTimeoutSeconds ?? POOL_DEFAULTS.connectTimeoutSeconds)) }) as object),
  });
}

/** A query cancelled by a cancel request (not a statement_timeout) that its own signal did not send. */
const cancelledForAnother = (error: unknown, signal: AbortSignal | undefined) =>
  !signal?.aborted && (error as { code?: string }).code === '57014' && /user request/.test((error as Error).message);

/** A PostgreSQL server through postgres.js: a pool to the primary, and one to each replica. */
export function serverConnection<S extends Record<string, unknown>>(schema: S, server: PostgresServerOptions, options: Pick<ConnectionOptions, 'logQuery'>, gate: Gate): Connection<S> {
  const logger = options.logQuery ? { logQuery: options.logQuery } : undefined;
  const log = (statements: Statement[]) => statements.forEach((statement) => options.logQuery?.(statement.sql, statement.params));
  const prepare = prepares(server);
  const client = openPool(server.url, server, prepare);
  const replicas = (server.replicas ?? []).map((url) => openPool(url, server, prepare));
  const onReplica = replicaRoute(replicas, client, server.replicaTimeoutMs ?? POOL_DEFAULTS.replicaTimeoutMs);
  // Behind a pooler in transaction mode (prepare: false), no statement outside a transaction shares its connection.
  const alone = !prepare;
  const db = drizzlePostgres({ client: gatedPostgres(client, gate, alone), schema, logger });
  /** A statement; `signal` sends the server a cancel request for it, and keeps it from starting once aborted. */
  const run = async (sql: postgres.Sql | postgres.TransactionSql, statement: Statement, signal?: AbortSignal) => {
    signal?.throwIfAborted();
    const query = sql.unsafe(statement.sql, statement.params as postgres.ParameterOrJSON<never>[], { prepare: true }).values();
    // Cancelled only while it waits in the pool's queue (dropped there) or runs: postgres.js 3.4's cancel of a query
    // queued behind another on a busy connection loses track of it, and hands each later query of that connection the
    // answer of the one before (another caller's rows). Such a query runs to its end; its caller has moved on.
    const waitingOrRunning = () => {
      const { state, active } = query as unknown as { state?: unknown; active?: boolean };
      return !state || active === true;
    };
    return cancelOnAbort(sql, query, signal, async () => query, waitingOrRunning);
  };
  const runAll = async (pool: postgres.Sql, statements: Statement[], check?: RowCheck, mode = '', signal?: AbortSignal) => {
    // A statement that may be cancelled runs on a connection of its own too, held until its cancel is answered.
    if (statements.length === 1 && !check) return [await (alone || signal ? unpipelined(pool, (sql) => run(sql, statements[0], signal)) : run(pool, statements[0], signal))];
    return (await pool.begin(mode, async (tx) => inTransaction(statements, check, (statement) => run(tx, statement, signal)))) as unknown[][][];
  };
  /** A write that `cancel` may give up before its commit. */
  const write = async (statements: Statement[], check: RowCheck | undefined, cancel: WriteCancel) =>
    (await client.begin(async (tx) => {
      const results = await inTransaction(statements, check, (statement) => run(tx, statement, cancel.signal));
      cancel.commit();
      return results;
    })) as unknown[][][];
  /**
   * A cancel request that still came late (held connections bound the wait for its answer: cancel-on-abort.ts)
   * cancels the next query of that connection, another caller's. That call, not aborted itself, runs again: its
   * transaction (or single statement) was rolled back, so it wrote nothing.
   */
  const againIfCancelledForAnother = (call: () => Promise<unknown[][][]>, signal: AbortSignal | undefined) =>
    call().catch((error: unknown) => (cancelledForAnother(error, signal) ? call() : Promise.reject(error)));
  return {
    kind: 'postgres',
    port: client.options.port[0],
    db,
    async execute(statements, check, cancel) {
      log(statements);
      return againIfCancelledForAnother(() => (cancel ? write(statements, check, cancel) : runAll(client, statements, check)), cancel?.signal);
    },
    async read(statements, options) {
      log(statements);
      const readOnly = (pool: postgres.Sql) => runAll(pool, statements, undefined, 'read only', options?.signal);
      return againIfCancelledForAnother(() => (options?.consistency === 'primary' ? readOnly(client) : onReplica(readOnly)), options?.signal);
    },
    replicas: replicas.map((pool) => ({ execute: (statements) => runAll(pool, statements) })),
    async copyIn(before, copy, after, check, cancel) {
      const sql = `COPY ${copy.into} FROM STDIN (FORMAT binary)`;
      log([...before, { sql, params: [] }, ...after]);
      const signal = cancel?.signal;
      const transaction = async () =>
        (await client.begin(async (tx) => {
          for (const statement of before) await run(tx, statement, signal);
          await copyInto(tx, { sql, data: copy.data }, signal);
          const results = await inTransaction(after, check, (statement) => run(tx, statement, signal));
          cancel?.commit();
          return results;
        })) as unknown[][][];
      return againIfCancelledForAnother(transaction, signal);
    },
    migrate: (migrationsFolder, cancel) => migrateLocked(client, migrationsFolder, cancel),
    // Our calls have settled by now (the facade's lifecycle waits for them): a query the driver still holds, as
    // after a connection cut mid-COPY, is dropped after a few seconds rather than holding close() forever.
    close: async () => void (await Promise.all([client, ...replicas].map((pool) => pool.end({ timeout: 5 })))),
  };
}
