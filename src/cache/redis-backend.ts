/**
 * The shared cache: entries through @keyv/redis, generations as plain Redis strings beside them (read with one
 * MGET, replaced with SET), so that a write in one process makes every process's next read miss. Commands fail at
 * once while Redis is unreachable (no offline queue) and the client reconnects by itself.
 */
import KeyvRedis, { Keyv } from '@keyv/redis';
import { type CacheBackend, newGeneration } from './cache-backend.js';

export function redisBackend(url: string, settings: { timeoutMs: number }): CacheBackend {
  const store = new KeyvRedis(
    { url, disableOfflineQueue: true, socket: { connectTimeout: Math.max(settings.timeoutMs, 1_000), reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) } },
    { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: Math.max(settings.timeoutMs, 1_000) },
  );
  // polystore's keys carry their namespace; keyv adds no prefix of its own.
  const keyv = new Keyv<string>(store, { useKeyPrefix: false, throwOnErrors: true });
  keyv.namespace = undefined;
  // Errors are thrown to the breaker; the events would otherwise be unhandled.
  keyv.on('error', () => undefined);
  store.on('error', () => undefined);
  const client = () => store.getClient();
  return {
    kind: 'redis',
    get: (key) => keyv.get(key),
    set: async (key, value, ttlMs) => void (await keyv.set(key, value, ttlMs)),
    async generations(keys) {
      const redis = await client();
      const found = await redis.mGet([...keys]);
      const missing = keys.filter((_, i) => typeof found[i] !== 'string');
      if (missing.length === 0) return found as string[];
      // First use of a scope: one process's new generation wins, the others read it back.
      for (const key of missing) await redis.set(key, newGeneration(), { NX: true });
      const again = await redis.mGet([...keys]);
      if (again.some((value) => typeof value !== 'string')) throw new Error('a cache generation vanished while being made');
      return again as string[];
    },
    async renew(keys) {
      const redis = await client();
      await Promise.all(keys.map((key) => redis.set(key, newGeneration())));
    },
    async ping() {
      await (await client()).ping();
    },
    close: () => keyv.disconnect(),
  };
}
