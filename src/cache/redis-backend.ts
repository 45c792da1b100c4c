/**
 * The shared cache: keyv over @keyv/redis. One connection, made once before the first request (concurrent requests
 * would otherwise find the client still connecting); after it, commands fail at once while Redis is unreachable
 * (no offline queue), and the client reconnects by itself. The Redis client is imported then too: a process
 * without a Redis cache never loads it.
 */
import type KeyvRedis from '@keyv/redis';
import type { Keyv } from '@keyv/redis';
import { TimeoutStrategy, timeout } from 'cockatiel';
import { once } from '../runtime/once.js';
import type { CacheBackend } from './cache-backend.js';

export function redisBackend(url: string, settings: { timeoutMs: number }): CacheBackend {
  const connectMs = Math.max(settings.timeoutMs, 1_000);
  let made: Promise<{ store: KeyvRedis<string>; keyv: Keyv<string> }> | undefined;
  // Made once, on the first call of any kind (the import cannot fail but for a broken install: then every call does).
  const client = () =>
    (made ??= import('@keyv/redis').then((redis) => {
      const store = new redis.default<string>(
        { url, disableOfflineQueue: true, socket: { connectTimeout: connectMs, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000) } },
        { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: connectMs },
      );
      // polystore's keys carry their namespace; keyv adds no prefix of its own.
      const keyv = new redis.Keyv<string>(store, { useKeyPrefix: false, throwOnErrors: true });
      keyv.namespace = undefined;
      // Errors are thrown to the breaker; the events would otherwise be unhandled.
      keyv.on('error', () => undefined);
      store.on('error', () => undefined);
      return { store, keyv };
    }));
  let open = false;
  const connect = once(async () => {
    await (await client()).store.getClient();
    open = true;
  });
  return {
    kind: 'redis',
    connected: () => open,
    connect,
    async getMany(keys) {
      const { keyv } = await client();
      try {
        return await keyv.getMany([...keys]);
      } catch (error) {
        if (!(error instanceof SyntaxError)) throw error;
        // A value keyv cannot read (not polystore's, under its key) is absent: a miss, then overwritten.
        return Promise.all(keys.map((key) => keyv.get(key).catch((each: unknown) => (each instanceof SyntaxError ? undefined : Promise.reject(each)))));
      }
    },
    set: async (key, value, ttlMs) => void (await (await client()).keyv.set(key, value, ttlMs)),
    async ping() {
      await connect();
      await (await (await client()).store.getClient()).ping();
    },
    // A graceful close waits for Redis to answer what is in flight, which a paused Redis never does: after the
    // timeout the socket is dropped instead (those requests were already given up on).
    async close() {
      if (!made) return;
      const { store } = await made;
      const graceful = store.disconnect();
      graceful.catch(() => undefined);
      await timeout(settings.timeoutMs, TimeoutStrategy.Aggressive).execute(() => graceful).catch(() => store.disconnect(true));
    },
  };
}
