/** Where cached answers and generations live: the process's memory, or Redis. Failures throw; the breaker decides. */
export interface CacheBackend {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** The current generation of each key, a new one made where there is none. */
  generations(keys: readonly string[]): Promise<string[]>;
  /** New generations for the keys: every entry read under the old ones becomes unreachable. */
  renew(keys: readonly string[]): Promise<void>;
  /** Answers when the backend is reachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A generation nobody else can pick: after an eviction of the generation key, old entries stay unreachable. */
export const newGeneration = () => crypto.randomUUID();
