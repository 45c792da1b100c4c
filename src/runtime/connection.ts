import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { applyMigrations } from './applied-migrations.js';
import { copyInto } from './copy-into.js';
import { type Gate, gatedPglite, gatedPostgres } from './gated-client.js';
import { migrateLocked } from './migrate-locked.js';
import { noDelaySocket } from './no-delay-socket.js';
import { POOL_DEFAULTS, type PolystoreOptions, type PostgresServerOptions } from './options.js';
import { replicaRoute } from './replica-route.js';
import { failUnanswered } from './unanswered-socket.js';
import { unpipelined } from './unpipelined.js';
import type { ReadOptions } from './vector-store.js';

export type PolystoreDatabase<S extends Record<string, unknown> = Record<string, never>> = PgDatabase<PgQueryResultHKT, S>;

/** A statement as Drizzle compiles it: text with $n placeholders, and the values to bind. */
export interface Statement {
  sql: string;
  params: unknown[];
}

/** A binary COPY's target (a quoted table and its column list) and data, in PostgreSQL's binary COPY format. */
export interface BinaryCopy {
  into: string;
  data: Uint8Array;
}

/** `check` of execute and copyIn. */
type RowCheck = (rows: unknown[][], index: number) => void;

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
  execute(statements: Statement[], check?: RowCheck): Promise<unknown[][][]>;
  /**
   * Runs statements that only read as `execute` does (several in a read-only transaction): on a replica, in turn,
   * unless `consistency` is 'primary'; on the primary when there is no replica or none can serve it.
   */
  read(statements: Statement[], consistency?: ReadOptions['consistency']): Promise<unknown[][][]>;
  /** Each of `postgres.replicas`, in order, for db.health(). */
  replicas: Array<Pick<Connection<never>, 'execute'>>;
  /**
   * In one transaction, `before`, then a binary COPY into `copy.into` (a quoted table and its column list) of
   * `copy.data`, then `after`; like `execute`, resolves to the rows of `after`, each seen by `check` first.
   * Over the postgres driver the data is sent as `COPY … FROM STDIN`, to PGlite in-process as its '/dev/blob'.
   */
  copyIn(before: Statement[], copy: BinaryCopy, after: Statement[], check?: RowCheck): Promise<unknown[][][]>;
  /** Applies drizzle/'s pending migrations; resolves to their tags. */
  migrate(migrationsFolder: string): Promise<string[]>;
  close(): Promise<void>;
}

async function inTransaction(statements: Statement[], check: RowCheck | undefined, run: (statement: Statement) => Promise<unknown[][]>) {
  const results: unknown[][][] = [];
  for (const [index, statement] of statements.entries()) {
    const rows = await run(statement);
    check?.(rows, index);
    results.push(rows);
  }
  return results;
}

/** A pool to `url` (the primary or a replica) with `server`'s settings. */
function openPool(url: string, server: PostgresServerOptions): postgres.Sql {
  return postgres(url, {
    max: server.max ?? POOL_DEFAULTS.max,
    idle_timeout: server.idleTimeoutSeconds ?? POOL_DEFAULTS.idleTimeoutSeconds,
    connect_timeout: server.connectTimeoutSeconds ?? POOL_DEFAULTS.connectTimeoutSeconds,
    // Off, no statement is named: a pooler in transaction mode may run the next one on another server connection.
    prepare: server.prepare ?? true,
    onnotice: () => {},
    // What the stores read back as text must not depend on the server's or the database's settings: timestamps
    // in UTC and ISO order (a DateStyle of 'SQL, DMY' swaps day and month), floats with every digit.
    connection: { TimeZone: 'UTC', DateStyle: 'ISO, MDY', extra_float_digits: '1' },
    // A list of hosts keeps postgres.js's own sockets, and their failover. (`socket` is missing from its types.)
    ...((/^[^/]*\/\/[^/?]*,/.test(url) ? {} : { socket: failUnanswered(noDelaySocket(server.connectTimeoutSeconds ?? POOL_DEFAULTS.connectTimeoutSeconds)) }) as object),
  });
}

/** The type OID of timestamptz. */
const TIMESTAMPTZ = 1184;

/** `gate` runs each query of the public `db.sql`; polystore's own statements and migrations go straight to the driver. */
export function openConnection<S extends Record<string, unknown>>(schema: S, options: PolystoreOptions, gate: Gate): Connection<S> {
  const logger = options.logQuery ? { logQuery: options.logQuery } : undefined;
  const log = (statements: Statement[]) => statements.forEach((statement) => options.logQuery?.(statement.sql, statement.params));
  if (options.postgres !== undefined) {
    const server = typeof options.postgres === 'string' ? { url: options.postgres } : options.postgres;
    const client = openPool(server.url, server);
    const replicas = (server.replicas ?? []).map((url) => openPool(url, server));
    const onReplica = replicaRoute(replicas, client, server.replicaTimeoutMs ?? POOL_DEFAULTS.replicaTimeoutMs);
    // Behind a pooler in transaction mode (prepare: false), no statement outside a transaction shares its connection.
    const alone = server.prepare === false;
    const db = drizzlePostgres({ client: gatedPostgres(client, gate, alone), schema, logger });
    const run = (sql: postgres.Sql | postgres.TransactionSql, statement: Statement) =>
      sql.unsafe(statement.sql, statement.params as postgres.ParameterOrJSON<never>[], { prepare: true }).values();
    const runAll = async (pool: postgres.Sql, statements: Statement[], check?: RowCheck, mode = '') => {
      if (statements.length === 1 && !check) return [await (alone ? unpipelined(pool, (sql) => run(sql, statements[0])) : run(pool, statements[0]))];
      return (await pool.begin(mode, async (tx) => inTransaction(statements, check, (statement) => run(tx, statement)))) as unknown[][][];
    };
    return {
      kind: 'postgres',
      db,
      async execute(statements, check) {
        log(statements);
        return runAll(client, statements, check);
      },
      async read(statements, consistency) {
        log(statements);
        const readOnly = (pool: postgres.Sql) => runAll(pool, statements, undefined, 'read only');
        return consistency === 'primary' ? readOnly(client) : onReplica(readOnly);
      },
      replicas: replicas.map((pool) => ({ execute: (statements) => runAll(pool, statements) })),
      async copyIn(before, copy, after, check) {
        const sql = `COPY ${copy.into} FROM STDIN (FORMAT binary)`;
        log([...before, { sql, params: [] }, ...after]);
        return (await client.begin(async (tx) => {
          for (const statement of before) await run(tx, statement);
          await copyInto(tx, { sql, data: copy.data });
          return inTransaction(after, check, (statement) => run(tx, statement));
        })) as unknown[][][];
      },
      migrate: (migrationsFolder) => migrateLocked(client, migrationsFolder),
      // Our calls have settled by now (the facade's lifecycle waits for them): a query the driver still holds, as
      // after a connection cut mid-COPY, is dropped after a few seconds rather than holding close() forever.
      close: async () => void (await Promise.all([client, ...replicas].map((pool) => pool.end({ timeout: 5 })))),
    };
  }
  const owned = options.pglite?.client === undefined;
  const client = options.pglite?.client ?? new PGlite({ dataDir: options.pglite?.dataDir, extensions: { vector } });
  const db = drizzlePglite({ client: gatedPglite(client, gate), schema, logger });
  // timestamptz as text, which the stores read as ISO 8601: PGlite's own parser reads years below 100 as 19xx or 20xx.
  const parsers = { [TIMESTAMPTZ]: (text: string) => text };
  const run = async (pg: Pick<PGlite, 'query'>, statement: Statement) => (await pg.query<unknown[]>(statement.sql, statement.params, { rowMode: 'array', parsers })).rows;
  const execute = async (statements: Statement[], check?: RowCheck) => {
    log(statements);
    if (statements.length === 1 && !check) return [await run(client, statements[0])];
    return client.transaction((tx) => inTransaction(statements, check, (statement) => run(tx, statement)));
  };
  return {
    kind: 'pglite',
    db,
    execute,
    // PGlite has no replicas.
    read: (statements) => execute(statements),
    replicas: [],
    async copyIn(before, copy, after, check) {
      const sql = `COPY ${copy.into} FROM '/dev/blob' (FORMAT binary)`;
      log([...before, { sql, params: [] }, ...after]);
      return client.transaction(async (tx) => {
        for (const statement of before) await run(tx, statement);
        await tx.query(sql, [], { blob: new Blob([copy.data]) });
        return inTransaction(after, check, (statement) => run(tx, statement));
      });
    },
    // One PGlite belongs to one process: `once` in the runtime is its lock.
    migrate: (migrationsFolder) =>
      applyMigrations(
        migrationsFolder,
        async (sql) => (await client.query<unknown[]>(sql, [], { rowMode: 'array' })).rows,
        (logger) => migratePglite(drizzlePglite({ client, logger }), { migrationsFolder }),
      ),
    close: () => (owned ? client.close() : Promise.resolve()),
  };
}
