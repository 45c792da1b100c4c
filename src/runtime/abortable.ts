/**
 * A call's `signal` and `timeoutMs`: the call rejects with ABORTED as soon as either ends it, whatever the store
 * is doing (a paused server holds no caller); the store is told through the same signal, and stops what it can.
 */
import type { ReadOptions } from './contract/vector-store.js';
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

const aborted = (operation: string, options: Cancellable | undefined, signal: AbortSignal) => {
  const timedOut = (signal.reason as { name?: string } | undefined)?.name === 'TimeoutError' && !options?.signal?.aborted;
  return new PolystoreError('ABORTED', timedOut ? `${operation}: no answer within timeoutMs (${options!.timeoutMs} ms); the call was given up` : `${operation}: aborted by its signal`, { cause: signal.reason });
};

/** Runs `call` with the call's signal, rejecting with ABORTED once it aborts (before the call starts too). */
export async function abortable<R>(operation: string, options: Cancellable | undefined, call: (signal: AbortSignal | undefined) => Promise<R>): Promise<R> {
  const signal = callSignal(options);
  if (!signal) return call(undefined);
  if (signal.aborted) throw aborted(operation, options, signal);
  let onAbort: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    onAbort = () => reject(aborted(operation, options, signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([call(signal), stopped]);
  } finally {
    signal.removeEventListener('abort', onAbort!);
  }
}
