import type postgres from 'postgres';

/** How long a query given up holds its connection for its cancel request's answer, at most (a server gone gives none). */
const CANCEL_ANSWER_MS = 2_000;
/** A statement that gives a late cancel time to land on it: the server's process may take the signal after answering. */
const ABSORB_CANCEL = 'select pg_sleep(0.02)';

/**
 * Runs `during` (the query awaited, or its COPY's data sent) with a cancel request sent to the server for `query`
 * once `signal` aborts, if `mayCancel` allows it then; a cancel that fails (the server gone) leaves the query to
 * fail or answer on its own. Nothing is sent once `signal` has aborted.
 *
 * A cancel request names a server process, not a query: one that comes after its query ended cancels whatever that
 * connection runs next. So once one was sent, `during` ends only after the request has been answered and a short
 * statement on `sql` (a transaction's connection, or one reserved) gave the signal time to land on it rather than
 * on another caller's query: an aborted call's connection is then free of it. (A transaction it lands in was given
 * up anyway: its commit is refused.)
 */
export async function cancelOnAbort<R>(sql: postgres.Sql | postgres.TransactionSql, query: { cancel(): unknown }, signal: AbortSignal | undefined, during: () => Promise<R>, mayCancel = () => true): Promise<R> {
  signal?.throwIfAborted();
  let sent: Promise<unknown> | undefined;
  const cancel = () => {
    if (mayCancel()) sent = Promise.resolve(query.cancel()).catch(() => undefined);
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await during();
  } finally {
    signal?.removeEventListener('abort', cancel);
    if (sent) {
      await Promise.race([sent, new Promise((resolve) => setTimeout(resolve, CANCEL_ANSWER_MS).unref())]);
      await sql.unsafe(ABSORB_CANCEL).catch(() => undefined);
    }
  }
}
