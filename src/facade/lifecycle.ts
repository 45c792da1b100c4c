import { PolystoreError } from '../errors.js';

/**
 * A facade's life. Calls are counted while in flight; `close` lets them finish, then releases the connections
 * once, however often it is called; a call made after `close` began is refused with CLOSED, never sent to a
 * driver that is draining or gone.
 */
export function lifecycle() {
  let closing: Promise<void> | undefined;
  const inFlight = new Set<Promise<unknown>>();
  return {
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
      closing ??= Promise.allSettled([...inFlight]).then(release);
      return closing;
    },
  };
}

export type Lifecycle = ReturnType<typeof lifecycle>;

/** A store whose every call runs within the facade's life. */
export function guarded<S extends object>(store: S, life: Lifecycle, name: string): S {
  const calls = Object.entries(store).map(([method, call]) => [method, (...args: unknown[]) => life.run(`${name}.${method}`, () => (call as (...a: unknown[]) => Promise<unknown>)(...args))]);
  return Object.fromEntries(calls) as S;
}
