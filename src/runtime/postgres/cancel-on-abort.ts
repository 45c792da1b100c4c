/**
 * Runs `during` (the query awaited, or its COPY's data sent) with a cancel request sent to the server for `query`
 * once `signal` aborts, if `mayCancel` allows it then; a cancel that fails (the server gone) leaves the query to
 * fail or answer on its own. Nothing is sent once `signal` has aborted.
 */
export async function cancelOnAbort<R>(query: { cancel(): unknown }, signal: AbortSignal | undefined, during: () => Promise<R>, mayCancel = () => true): Promise<R> {
  signal?.throwIfAborted();
  const cancel = () => mayCancel() && void Promise.resolve(query.cancel()).catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    return await during();
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
