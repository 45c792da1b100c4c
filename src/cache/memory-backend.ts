/** The in-process cache: keyv over a bounded lru-cache (entries and bytes). */
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import type { CacheBackend } from './cache-backend.js';

export function memoryBackend(settings: { maxEntries: number; maxBytes: number }): CacheBackend {
  const lru = new LRUCache<string, string>({ max: settings.maxEntries, maxSize: settings.maxBytes, sizeCalculation: (value) => value.length * 2 + 64 });
  // lru-cache's set takes options where keyv passes a TTL: keyv keeps the expiry in the value itself.
  const keyv = new Keyv<string>({
    store: { get: (key: string) => lru.get(key), set: (key: string, value: string) => void lru.set(key, value), delete: (key: string) => lru.delete(key), clear: () => lru.clear() },
    throwOnErrors: true,
  });
  return {
    kind: 'memory',
    connected: () => true,
    connect: async () => undefined,
    getMany: (keys) => keyv.getMany([...keys]),
    set: async (key, value, ttlMs) => void (await keyv.set(key, value, ttlMs)),
    ping: async () => undefined,
    close: async () => lru.clear(),
  };
}
