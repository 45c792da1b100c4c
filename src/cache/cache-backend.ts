/**
 * Where cached answers and generations live, as keyv stores: the process's memory, or Redis. Both are plain
 * values of one store, read together in one request. Failures throw; the breaker decides.
 */
export interface CacheBackend {
  readonly kind: 'memory' | 'redis';
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  /** Without `ttlMs`, kept until evicted (generations). */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Answers when the backend is reachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
