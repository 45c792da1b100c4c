/**
 * Where cached answers and generations live, as keyv stores: the process's memory, or Redis. Both are plain
 * values of one store, read together in one request. Failures throw; the breaker decides.
 */
export interface CacheBackend {
  readonly kind: 'memory' | 'redis';
  /** Whether `connect()` has succeeded: after it, the backend reconnects by itself. */
  connected(): boolean;
  /** Connects (once: concurrent callers share the attempt). */
  connect(): Promise<void>;
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  /** Without `ttlMs`, kept until evicted (generations). */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Answers when the backend is reachable. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
