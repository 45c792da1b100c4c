/**
 * The shared cache: keyv over @keyv/redis. Commands fail at once while Redis is unreachable (no offline queue) and
 * the client reconnects by itself.
 */
import KeyvRedis, { Keyv } from '@keyv/redis';
import type { CacheBackend } from './cache-backend.js';

export function redisBackend(url: string, settings: { timeoutMs: number }): CacheBackend {
  const connectMs = Math.max(settings.timeoutMs, 1_000);
  const store = new KeyvRedis(
    { url, disableOfflineQueue: true, socket: { connectTimeout: connectMs, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) } },
    { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: connectMs },
  );
  // polystore's keys carry their namespace; keyv adds no prefix of its own.
  const keyv = new Keyv<string>(store, { useKeyPrefix: false, throwOnErrors: true });
  keyv.namespace = undefined;
  // Errors are thrown to the breaker; the events would otherwise be unhandled.
  keyv.on('error', () => undefined);
  store.on('error', () => undefined);
  return {
    kind: 'redis',
    getMany: (keys) => keyv.getMany([...keys]),
    set: async (key, value, ttlMs) => void (await keyv.set(key, value, ttlMs)),
    async ping() {
      await (await store.getClient()).ping();
    },
    close: () => keyv.disconnect(),
  };
}
