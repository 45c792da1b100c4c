/**
 * The cache as the stores use it: fail-open. A read takes one backend request: the generations of its scope and
 * the entry, together; an entry answers only when it was stored under the generations read with it, so a write,
 * which replaces its scope's generation, makes every earlier answer unreachable in every process, without a scan.
 * Every backend request goes through a circuit breaker (cockatiel) with a timeout of tens of milliseconds; a failure,
 * a timeout or an open breaker makes the call read the database, never fail. Invalidations that could not reach
 * the backend are kept and sent again before this process reads any entry: until they land, its reads go to the
 * database. Identical reads in flight in this process share one database query.
 */
import { CircuitState, circuitBreaker, ConsecutiveBreaker, handleAll, TimeoutStrategy, timeout, wrap } from 'cockatiel';
import type { CacheBackend } from './cache-backend.js';
import type { ResolvedCacheSettings } from './cache-options.js';
import { messageOf } from '../errors.js';

export interface CacheStats {
  store: 'memory' | 'redis' | 'off';
  hits: number;
  misses: number;
  /** Backend requests that failed or timed out, and entries that were not polystore's (each call then read the database). */
  errors: number;
  /** Cached calls that went straight to the database: breaker open, or an invalidation not yet delivered. */
  bypassed: number;
  breaker: 'closed' | 'open' | 'half-open';
  /** Invalidations waiting for the backend. */
  pendingInvalidations: number;
  /** Why the latest write (an entry or a generation) failed; absent once one succeeds. Reads work, nothing is stored. */
  lastWriteError?: string;
}

const CONNECT_TIMEOUT_MS = 1_000;

/** A generation nobody else can pick: after an eviction of the generation key, old entries stay unreachable. */
const newGeneration = () => crypto.randomUUID();

export type Cache = ReturnType<typeof guardedCache>;

export function guardedCache(backend: CacheBackend, settings: ResolvedCacheSettings) {
  const counts = { hits: 0, misses: 0, errors: 0, bypassed: 0 };
  // Four failures in a row (timeouts included) open it: calls skip the backend for 5 s, then one tries it again.
  const breaker = backend.kind === 'redis' ? circuitBreaker(handleAll, { halfOpenAfter: 5_000, breaker: new ConsecutiveBreaker(4) }) : undefined;
  const guard = breaker && wrap(breaker, timeout(settings.timeoutMs, TimeoutStrategy.Aggressive));
  // Connecting takes longer than a request: its own timeout, the same breaker (an open one skips it at once).
  const connecting = breaker && wrap(breaker, timeout(CONNECT_TIMEOUT_MS, TimeoutStrategy.Aggressive));
  breaker?.onFailure(() => void (counts.errors += 1));
  const fire = async <R>(request: () => Promise<R>): Promise<R> => {
    if (!guard || !connecting) return request();
    if (!backend.connected()) await connecting.execute(() => backend.connect());
    return guard.execute(() => {
      const sent = request();
      // Given up on by the timeout, a request may still fail later: nobody waits for it then.
      sent.catch(() => undefined);
      return sent;
    });
  };
  // Reads that succeed between failing writes keep the breaker closed: a Redis that refuses every write
  // (out of memory, read-only) would otherwise look healthy.
  let lastWriteError: string | undefined;
  const write = async (request: () => Promise<unknown>): Promise<void> => {
    try {
      await fire(request);
      lastWriteError = undefined;
    } catch (error) {
      lastWriteError = messageOf(error);
      throw error;
    }
  };
  // Redis takes whole milliseconds (SET … PX): 3 * 1.1 s is 3300.0000000000005 ms.
  const ttlMs = Math.round(settings.ttlSeconds * 1_000);
  /**
   * Generation keys whose renewal is still to be delivered, each with the invalidation that last asked for it: a
   * delivery takes out only what it sent, so a write that asks again while an earlier renewal is in flight (which
   * may land before that write does) stays pending until a renewal sent after it lands.
   */
  const pending = new Map<string, number>();
  let invalidations = 0;
  /** Reads in flight, with the generation keys they read under: a write drops those it covers, so no later read joins them. */
  const inFlight = new Map<string, { promise: Promise<unknown>; generationKeys: readonly string[] }>();
  let retry: NodeJS.Timeout | undefined;

  const renew = async (keys: readonly string[]) => {
    await write(() => Promise.all(keys.map((key) => backend.set(key, newGeneration()))));
  };
  /** Delivers the kept invalidations; while some remain, tries again every second, also in a process that only writes. */
  const flush = async (): Promise<boolean> => {
    if (pending.size === 0) return true;
    const sent = [...pending];
    try {
      await renew(sent.map(([key]) => key));
      for (const [key, invalidation] of sent) if (pending.get(key) === invalidation) pending.delete(key);
      return true;
    } catch {
      retry ??= setTimeout(() => {
        retry = undefined;
        void flush();
      }, 1_000).unref();
      return false;
    }
  };

  /**
   * The generations of `generationKeys` and the entry at `key`, in one request (generations missing there are
   * made, before the database is read); undefined when entries cannot be trusted now: read the database.
   */
  async function lookup(generationKeys: readonly string[], key: string): Promise<{ generations: string[]; entry: string | undefined } | undefined> {
    if (!(await flush())) return void (counts.bypassed += 1);
    try {
      const values = await fire(() => backend.getMany([...generationKeys, key]));
      const generations = generationKeys.map((generationKey, i) => values[i] ?? '');
      const missing = generationKeys.filter((_, i) => !values[i]);
      if (missing.length === 0) return { generations, entry: values[generationKeys.length] };
      const made = missing.map(() => newGeneration());
      await write(() => Promise.all(missing.map((generationKey, i) => backend.set(generationKey, made[i]))));
      return { generations: generationKeys.map((generationKey, i) => values[i] || made[missing.indexOf(generationKey)]), entry: undefined };
    } catch {
      counts.bypassed += 1;
      return undefined;
    }
  }

  return {
    namespace: settings.namespace,
    lookup,
    /** Single flight: the first caller's `run` for `key`, shared with those who ask while it runs. */
    shared<R>(key: string, generationKeys: readonly string[], run: () => Promise<R>): Promise<R> {
      const joined = inFlight.get(key);
      if (joined) return joined.promise as Promise<R>;
      const flight = { promise: run(), generationKeys };
      inFlight.set(key, flight);
      const done = () => void (inFlight.get(key) === flight && inFlight.delete(key));
      flight.promise.then(done, done);
      return flight.promise;
    },
    /** Not awaited by reads: a slow or failed store only costs the next reader a miss. */
    set: (key: string, value: string): void => void write(() => backend.set(key, value, ttlMs)).catch(() => undefined),
    /** Never throws: what cannot be delivered now is kept, and blocks this process's cached reads until it is. */
    async invalidate(keys: readonly string[]): Promise<void> {
      for (const [key, flight] of inFlight) if (flight.generationKeys.some((generationKey) => keys.includes(generationKey))) inFlight.delete(key);
      invalidations += 1;
      keys.forEach((key) => pending.set(key, invalidations));
      await flush();
    },
    hit: () => void (counts.hits += 1),
    miss: () => void (counts.misses += 1),
    /** An entry that is not polystore's: read as a miss. */
    garbled: () => void (counts.errors += 1),
    stats: (): CacheStats => ({
      store: backend.kind,
      ...counts,
      breaker: !breaker || breaker.state === CircuitState.Closed ? 'closed' : breaker.state === CircuitState.HalfOpen ? 'half-open' : 'open',
      pendingInvalidations: pending.size,
      ...(lastWriteError !== undefined && { lastWriteError }),
    }),
    ping: () => backend.ping(),
    /** One last try to deliver kept invalidations (bounded by the timeout), then the connection is released. */
    async close(): Promise<void> {
      clearTimeout(retry);
      await flush();
      clearTimeout(retry);
      await backend.close().catch(() => undefined);
    },
  };
}
