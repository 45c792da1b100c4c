import type { BackendStore } from '../contract/backend-store.js';
import type { ReadOptions, VectorRecordBase } from '../contract/vector-store.js';

/**
 * The least time after a write during which a shared cache keeps no answer read on a replica in the write's scope
 * (`readYourWritesMs` when longer): the lag a replica is assumed to catch up within when no window says otherwise.
 */
export const REPLICA_SETTLE_FLOOR_MS = 1_000;

/** How a pgvector store's reads are routed, given the store and its key (collection and tenant). */
export type ReadRouting = <T extends VectorRecordBase, W>(store: BackendStore<T, W>, key: string) => BackendStore<T, W>;

/** A store whose reads go to the primary while `toPrimary()` holds, unless a read names its consistency. */
function routeReads<T extends VectorRecordBase, W>(store: BackendStore<T, W>, toPrimary: () => boolean): BackendStore<T, W> {
  const routed = <O extends ReadOptions | undefined>(options: O): O => (options?.consistency === undefined && toPrimary() ? ({ ...options, consistency: 'primary' } as O) : options);
  return {
    ...store,
    search: (query, filter) => store.search(routed(query), filter),
    get: (ids, filter, options) => store.get(ids, filter, routed(options)),
    count: (filter, options) => store.count(filter, routed(options)),
  };
}

/** Every read on the primary: `polystore vectors copy` counts and compares what it has just written. */
export const primaryReads: ReadRouting = (store) => routeReads(store, () => true);

/**
 * `postgres.readYourWritesMs`: after a write through a store, that store's reads go to the primary for `windowMs`,
 * where replication lag cannot hide the write. Stores are keyed by collection and tenant, so that one tenant's
 * writes leave the others' reads on the replicas. The windows are this process's: a write made elsewhere opens none.
 */
export function readYourWrites(windowMs: number): ReadRouting {
  // When each key's window closes, in the order the windows opened: all are as long, so that is also the order in
  // which they close, and the closed ones are always first.
  const closes = new Map<string, number>();
  const open = (key: string) => {
    const now = performance.now();
    closes.delete(key);
    closes.set(key, now + windowMs);
    for (const [other, at] of closes) {
      if (at > now) break;
      closes.delete(other);
    }
  };
  return (store, key) => {
    if (windowMs <= 0) return store;
    // Also after a write that failed: it may have committed before the connection broke.
    const write = <A extends unknown[], R>(call: (...args: A) => Promise<R>) => (...args: A) => call(...args).finally(() => open(key));
    return {
      ...routeReads(store, () => (closes.get(key) ?? 0) > performance.now()),
      insert: write(store.insert),
      upsert: write(store.upsert),
      update: write(store.update),
      delete: write(store.delete),
    };
  };
}
