/**
 * A call's `signal` and `timeoutMs`. A read rejects with ABORTED as soon as either ends it, whatever the store is
 * doing (a paused server holds no caller); the store is told through the same signal, and stops what it can. A
 * write is given up the same way until its commit (contract/write-cancel.ts), and answers for itself from then on.
 */
import type { ReadOptions } from './contract/vector-store.js';
import type { WriteCancel } from './contract/write-cancel.js';
import { PolystoreError } from '../errors.js';

type Cancellable = Pick<ReadOptions, 'signal' | 'timeoutMs'>;

/**
 * The caller's signal and the timeout's, as one signal of the call's own (undefined with neither): the call's
 * listeners go on it, not on a signal the caller may share among many calls (Node warns past 10 listeners).
 */
function callSignal(options: Cancellable | undefined): AbortSignal | undefined {
  const signals = [options?.signal, options?.timeoutMs === undefined ? undefined : AbortSignal.timeout(options.timeoutMs)].filter((signal) => signal !== undefined);
  return signals.length === 0 ? undefined : AbortSignal.any(signals);
}

const aborted = (operation: string, options: Cancellable | undefined, signal: AbortSignal, outcome = '') => {
  const timedOut = (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError' && !options?.signal?.aborted;
  return new PolystoreError('ABORTED', timedOut ? `${operation}: no answer within timeoutMs (${options!.timeoutMs} ms); the call was given up${outcome}` : `${operation}: aborted by its signal${outcome}`, { cause: signal.reason });
};

/**
 * Runs `call` with the call's signal, rejecting with ABORTED once it aborts (before the call starts too); `outcome`
 * completes the message with what an abort leaves behind.
 */
export async function abortable<R>(operation: string, options: Cancellable | undefined, call: (signal: AbortSignal | undefined) => Promise<R>, outcome = ''): Promise<R> {
  const signal = callSignal(options);
  if (!signal) return call(undefined);
  if (signal.aborted) throw aborted(operation, options, signal, outcome);
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(aborted(operation, options, signal, outcome));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call(signal), stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/** What a store throws when its write was aborted before its commit: the call says so in its own words. */
const notWritten = (signal: AbortSignal) => new PolystoreError('ABORTED', 'aborted before its commit; nothing was written', { cause: signal.reason });

/**
 * Runs a write with the call's signal. Until the store calls `commit()` an abort rejects at once, as a read's does;
 * the store then stops on its own (a statement cancelled, the commit refused, no request sent). From the commit
 * on, the call waits for the store: its caller must learn whether the write was applied, which only the store knows.
 */
export async function abortableWrite<R>(operation: string, options: Cancellable | undefined, call: (cancel: WriteCancel | undefined) => Promise<R>): Promise<R> {
  const signal = callSignal(options);
  if (!signal) return call(undefined);
  const givenUp = () => aborted(operation, options, signal, operation === 'delete' ? '; nothing was deleted' : '; nothing was written');
  if (signal.aborted) throw givenUp();
  let committing = false;
  const cancel: WriteCancel = {
    signal,
    commit() {
      if (signal.aborted) throw notWritten(signal);
      committing = true;
    },
  };
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => committing || reject(givenUp());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const work = call(cancel);
  // The loser of the race settles unheard: the store's own ABORTED once the call has been given up.
  work.catch(() => undefined);
  stopped.catch(() => undefined);
  try {
    return await Promise.race([work, stopped]);
  } catch (error) {
    throw error instanceof PolystoreError && error.code === 'ABORTED' ? givenUp() : error;
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/**
 * The cancel of each whole step of a call made of several (a migration's transaction, a partition's): its running
 * statement cancelled and its commit refused once aborted. The call itself is raced (`abortable`): steps committed
 * before the abort stay.
 */
export const stepCancel = (signal: AbortSignal | undefined): WriteCancel | undefined => signal && { signal, commit: () => signal.throwIfAborted() };
