/**
 * The transactions of `partitions ensure` and `migrate down` change tables under an ACCESS EXCLUSIVE lock, which
 * also queues every later reader behind it: each holds the migrations' advisory lock, then waits at most
 * `LOCK_TIMEOUT_MS` for a table lock (a long-running query elsewhere), and is tried again a few times before giving
 * up with LOCK_TIMEOUT, nothing changed.
 */
import pRetry from 'p-retry';
import { PolystoreError } from '../errors.js';
import type { Connection, Statement } from '../runtime/postgres/connection.js';
import { MIGRATION_LOCK } from '../runtime/postgres/migrate-locked.js';
import type { WriteCancel } from '../runtime/contract/write-cancel.js';

const LOCK_TIMEOUT_MS = 2_000;
const ATTEMPTS = 3;

/** The first statements of each such transaction; the advisory lock is taken before the timeout applies. */
const LOCKED_DDL: Statement[] = [
  { sql: `select pg_advisory_xact_lock(${MIGRATION_LOCK})`, params: [] },
  { sql: `set local lock_timeout = ${LOCK_TIMEOUT_MS}`, params: [] },
];

const lockNotAvailable = (error: unknown) => (error as { code?: unknown }).code === '55P03' || (error as { cause?: { code?: unknown } }).cause?.code === '55P03';

/** Thrown from a transaction's check to roll it back because there is nothing to do (another process did it, or a rehearsal is over). */
export class NothingToDo extends Error {}

/**
 * `statements` in one such transaction, their rows (each seen first by `check`, indexes counting from the first of
 * `statements`); undefined when `check` threw NothingToDo, which rolls everything back.
 */
export async function runLocked(
  connection: Pick<Connection<never>, 'execute'>,
  what: string,
  statements: Statement[],
  check?: (rows: unknown[][], index: number) => void,
  cancel?: WriteCancel,
): Promise<unknown[][][] | undefined> {
  const attempt = async () => {
    const results = await connection.execute([...LOCKED_DDL, ...statements], (rows, index) => {
      if (index >= LOCKED_DDL.length) check?.(rows, index - LOCKED_DDL.length);
    }, cancel);
    return results.slice(LOCKED_DDL.length);
  };
  try {
    return await pRetry(attempt, { retries: ATTEMPTS - 1, minTimeout: 200, shouldRetry: ({ error }) => lockNotAvailable(error), signal: cancel?.signal });
  } catch (error) {
    if (error instanceof NothingToDo) return undefined;
    if (!lockNotAvailable(error)) throw error;
    throw new PolystoreError('LOCK_TIMEOUT', `${what}: another session held the table for more than ${LOCK_TIMEOUT_MS} ms, ${ATTEMPTS} times; nothing was changed. Run it again when it is quieter.`, { cause: error });
  }
}
