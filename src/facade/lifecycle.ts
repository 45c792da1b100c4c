import { PolystoreError } from '../errors.js';

/**
 * A facade's life. Calls are counted while in flight; `close` lets them finish, then releases the connections
 * once, however often it is called; a call made after `close` began is refused with CLOSED, never sent to a
 * driver that is draining or gone. `closing` is aborted once `close` began: a call that waits on another process
 * (not on its own work) gives up on it, rather than hold `close` up.
 */
export interface Lifecycle {
  run<R>(operation: string, call: () => Promise<R>): Promise<R>;
  close(release: () => Promise<void>): Promise<void>;
  readonly closing: AbortSignal;
}

export function lifecycle(): Lifecycle {
  let closing: Promise<void> | undefined;
  const inFlight = new Set<Promise<unknown>>();
  const closed = new AbortController();
  return {
    closing: closed.signal,
    run<R>(operation: string, call: () => Promise<R>): Promise<R> {
      if (closing) return Promise.reject(new PolystoreError('CLOSED', `${operation}: this polystore was closed (db.close())`));
      const result = call();
      const settled: Promise<unknown> = result.then(
        () => inFlight.delete(settled),
        () => inFlight.delete(settled),
      );
      inFlight.add(settled);
      return result;
    },
    close(release: () => Promise<void>): Promise<void> {
      if (!closed.signal.aborted) closed.abort(new PolystoreError('CLOSED', 'this polystore was closed (db.close()) while the call waited'));
      closing ??= Promise.allSettled([...inFlight]).then(release);
      return closing;
    },
  };
}

/** A store whose every call runs within the facade's life. */
export function guarded<S extends object>(store: S, life: Lifecycle, name: string): S {
  const calls = Object.entries(store).map(([method, call]) => [method, (...args: unknown[]) => life.run(`${name}.${method}`, () => (call as (...a: unknown[]) => Promise<unknown>)(...args))]);
  return Object.fromEntries(calls) as S;
}
