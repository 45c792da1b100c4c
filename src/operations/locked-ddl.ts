/**
 * The transactions of `partitions ensure` and `migrate down` change tables under an ACCESS EXCLUSIVE lock, which
 * also queues every later reader behind it: each holds the migrations' advisory lock, then waits at most
 * `LOCK_TIMEOUT_MS` for a table lock (a long-running query elsewhere), and is tried again a few times before giving
 * up with LOCK_TIMEOUT, nothing changed.
 */
import pRetry from 'p-retry';
import { PolystoreError } from '../errors.js';
import type { Statement } from '../runtime/connection.js';
import { MIGRATION_LOCK } from '../runtime/migrate-locked.js';

const LOCK_TIMEOUT_MS = 2_000;
const ATTEMPTS = 3;

/** The first statements of each such transaction; the advisory lock is taken before the timeout applies. */
export const LOCKED_DDL: Statement[] = [
  { sql: `select pg_advisory_xact_lock(${MIGRATION_LOCK})`, params: [] },
  { sql: `set local lock_timeout = ${LOCK_TIMEOUT_MS}`, params: [] },
];

const lockNotAvailable = (error: unknown) => (error as { code?: unknown }).code === '55P03' || (error as { cause?: { code?: unknown } }).cause?.code === '55P03';

export async function withLockRetries<T>(what: string, attempt: () => Promise<T>): Promise<T> {
  try {
    return await pRetry(attempt, { retries: ATTEMPTS - 1, minTimeout: 200, shouldRetry: ({ error }) => lockNotAvailable(error) });
  } catch (error) {
    if (!lockNotAvailable(error)) throw error;
    throw new PolystoreError('LOCK_TIMEOUT', `${what}: another session held the table for more than ${LOCK_TIMEOUT_MS} ms, ${ATTEMPTS} times; nothing was changed. Run it again when it is quieter.`, { cause: error });
  }
}

/** Thrown from a transaction's check to roll it back because there is nothing to do (another process did it). */
export class NothingToDo extends Error {}
