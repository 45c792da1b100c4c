import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { ReadOptions } from '../contract/vector-store.js';
import type { WriteCancel } from '../contract/write-cancel.js';

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
export type RowCheck = (rows: unknown[][], index: number) => void;

/** One PostgreSQL, embedded or a server, behind Drizzle. */
export interface Connection<S extends Record<string, unknown>> {
  kind: 'pglite' | 'postgres';
  /** A server's: the port this client connects to (a pooler's or a proxy's, when one is in front of the server). */
  port?: number | undefined;
  db: PolystoreDatabase<S>;
  /**
   * Runs statements in one transaction (none for a single one) straight on the driver, as prepared
   * statements, and returns each one's rows as arrays: the vector stores' statements, for which Drizzle's
   * own execution costs about 0.5 ms a statement on PGlite. `check` sees each statement's rows inside the
   * transaction: throwing there rolls the whole transaction back. With `cancel`, a write that may be given up: always
   * in a transaction, whose statement running at the abort is cancelled (on a server) and whose commit is refused.
   */
  execute(statements: Statement[], check?: RowCheck, cancel?: WriteCancel): Promise<unknown[][][]>;
  /**
   * Runs statements that only read as `execute` does (several in a read-only transaction): on a replica, in turn,
   * unless `consistency` is 'primary'; on the primary when there is no replica or none can serve it.
   */
  read(statements: Statement[], options?: Pick<ReadOptions, 'consistency' | 'signal'>): Promise<unknown[][][]>;
  /** Each of `postgres.replicas`, in order, for db.health(). */
  replicas: Array<Pick<Connection<never>, 'execute'>>;
  /**
   * In one transaction, `before`, then a binary COPY into `copy.into` (a quoted table and its column list) of
   * `copy.data`, then `after`; like `execute`, resolves to the rows of `after`, each seen by `check` first.
   * Over the postgres driver the data is sent as `COPY … FROM STDIN`, to PGlite in-process as its '/dev/blob'.
   * `cancel` as for `execute`.
   */
  copyIn(before: Statement[], copy: BinaryCopy, after: Statement[], check?: RowCheck, cancel?: WriteCancel): Promise<unknown[][][]>;
  /** Applies drizzle/'s pending migrations in one transaction; resolves to their tags. `cancel` as for `execute`. */
  migrate(migrationsFolder: string, cancel?: WriteCancel): Promise<string[]>;
  close(): Promise<void>;
}

