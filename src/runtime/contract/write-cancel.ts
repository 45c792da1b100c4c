/**
 * How a write is given up (runtime/abortable.ts makes it from the call's `signal` and `timeoutMs`): until its
 * store calls `commit()`, an abort rejects the call at once and the store stops on its own, writing nothing.
 */
export interface WriteCancel {
  signal: AbortSignal;
  /**
   * Called last before the point of no return (PostgreSQL: the commit; Milvus: each write request, the first one
   * that point): throws ABORTED once aborted; from then on the call waits for the store's answer, which says what
   * was written.
   */
  commit(): void;
}
