/** The in-process cache: keyv over a bounded lru-cache (entries and bytes), generations in a Map. */
import { Keyv } from 'keyv';
import { LRUCache } from 'lru-cache';
import { type CacheBackend, newGeneration } from './cache-backend.js';

export function memoryBackend(settings: { maxEntries: number; maxBytes: number }): CacheBackend {
  const lru = new LRUCache<string, string>({ max: settings.maxEntries, maxSize: settings.maxBytes, sizeCalculation: (value) => value.length * 2 + 64 });
  // lru-cache's set takes options where keyv passes a TTL: keyv keeps the expiry in the value itself.
  const keyv = new Keyv<string>({
    store: { get: (key: string) => lru.get(key), set: (key: string, value: string) => void lru.set(key, value), delete: (key: string) => lru.delete(key), clear: () => lru.clear() },
    throwOnErrors: true,
  });
  const generations = new Map<string, string>();
  return {
    kind: 'memory',
    get: (key) => keyv.get(key),
    set: async (key, value, ttlMs) => void (await keyv.set(key, value, ttlMs)),
    generations: async (keys) =>
      keys.map((key) => {
        let generation = generations.get(key);
        if (!generation) generations.set(key, (generation = newGeneration()));
        return generation;
      }),
    renew: async (keys) => keys.forEach((key) => generations.set(key, newGeneration())),
    ping: async () => undefined,
    close: async () => lru.clear(),
  };
}
