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

/** `work`, or `givenUp()` as soon as `signal` aborts while `mayGiveUp()` holds (Promise.race hears the loser out). */
async function raced<R>(signal: AbortSignal, work: Promise<R>, givenUp: () => PolystoreError, mayGiveUp = () => true): Promise<R> {
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => mayGiveUp() && reject(givenUp());
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}

/**
 * Runs `call` with the call's signal, rejecting with ABORTED once it aborts (before the call starts too); `outcome`
 * completes the message with what an abort leaves behind.
 */
export async function abortable<R>(operation: string, options: Cancellable | undefined, call: (signal: AbortSignal | undefined) => Promise<R>, outcome = ''): Promise<R> {
  const signal = callSignal(options);
  if (!signal) return call(undefined);
  const givenUp = () => aborted(operation, options, signal, outcome);
  if (signal.aborted) throw givenUp();
  return raced(signal, call(signal), givenUp);
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
  try {
    return await raced(signal, call(cancel), givenUp, () => !committing);
  } catch (error) {
    throw error instanceof PolystoreError && error.code === 'ABORTED' ? givenUp() : error;
  }
}

/**
 * The cancel of each whole step of a call made of several (a migration's transaction, a partition's): its running
 * statement cancelled and its commit refused once aborted. The call itself is raced (`abortable`): steps committed
 * before the abort stay.
 */
export const stepCancel = (signal: AbortSignal | undefined): WriteCancel | undefined => signal && { signal, commit: () => signal.throwIfAborted() };
