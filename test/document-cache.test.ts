// The documents' cache extension. Prisma's query engine cannot be installed here, so Prisma itself never runs:
// `query` below stands in for the operation Prisma would run, and counts the calls. What is tested is polystore's
// part, on the real cache stores (memory, and Redis when there is one): which operations are cached, under which
// keys, and which writes invalidate; the extension's shape is type-checked against Prisma's in test/types.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { guardedCache } from '../src/cache/cache.js';
import { resolveCacheSettings } from '../src/cache/cache-options.js';
import { cachedDocumentQuery } from '../src/cache/document-cache.js';
import { memoryBackend } from '../src/cache/memory-backend.js';
import { redisBackend } from '../src/cache/redis-backend.js';
import { redisUrl } from './helpers/redis.js';

const stores = [
  { name: 'memory', open: () => memoryBackend({ maxEntries: 100, maxBytes: 2 ** 20 }) },
  ...(redisUrl ? [{ name: 'Redis', open: () => redisBackend(redisUrl!, { timeoutMs: 2_000 }) }] : []),
];

describe.each(stores)('document cache on $name', ({ open }) => {
  const setup = () => {
    const cache = guardedCache(open(), resolveCacheSettings({ namespace: `docs${randomUUID()}`, timeoutMs: 2_000 })!);
    const documents = new Map<string, Record<string, unknown>>([['u1', { id: 'u1', email: 'a@x', createdAt: new Date('2026-01-02T03:04:05.678Z'), avatar: new Uint8Array([1, 2, 3]) }]]);
    const calls: string[] = [];
    const run = cachedDocumentQuery(cache);
    const call = (operation: string, args: Record<string, unknown>, model = 'User') =>
      run({
        model,
        operation,
        args,
        query: async (given) => {
          calls.push(`${model}.${operation}`);
          const where = (given as { where?: { id?: string } }).where;
          if (operation === 'update') documents.set(where!.id!, { ...documents.get(where!.id!)!, ...(given as { data: object }).data });
          if (operation.startsWith('find')) return where?.id !== undefined ? (documents.get(where.id) ?? null) : [...documents.values()][0];
          return documents.get(where?.id ?? '') ?? null;
        },
      });
    return { cache, calls, call };
  };

  it('answers findUnique by id from the cache, Dates and bytes as they were; a write to the model invalidates', async () => {
    const { cache, calls, call } = setup();
    try {
      const first = (await call('findUnique', { where: { id: 'u1' } })) as Record<string, unknown>;
      const again = (await call('findUnique', { where: { id: 'u1' } })) as Record<string, unknown>;
      expect(calls).toEqual(['User.findUnique']);
      expect(again).toEqual(first);
      expect(again.createdAt).toBeInstanceOf(Date);
      expect(Array.from(again.avatar as Uint8Array)).toEqual([1, 2, 3]);
      (again as { email: string }).email = 'changed by the caller';
      expect(((await call('findUnique', { where: { id: 'u1' } })) as { email: string }).email).toBe('a@x');
      await call('update', { where: { id: 'u1' }, data: { email: 'b@x' } });
      expect(((await call('findUnique', { where: { id: 'u1' } })) as { email: string }).email).toBe('b@x');
      expect(calls).toEqual(['User.findUnique', 'User.update', 'User.findUnique']);
    } finally {
      await cache.close();
    }
  });

  it('leaves everything else to Prisma: other filters, other operations; models are apart; a null is cached but not for OrThrow', async () => {
    const { cache, calls, call } = setup();
    try {
      await call('findFirst', { where: { email: 'a@x' } });
      await call('findFirst', { where: { email: 'a@x' } });
      await call('findMany', { where: { id: 'u1' } });
      await call('findMany', { where: { id: 'u1' } });
      // Related records change with other models' writes: not cached.
      await call('findUnique', { where: { id: 'u1' }, include: { apps: true } });
      await call('findUnique', { where: { id: 'u1' }, include: { apps: true } });
      await call('findUnique', { where: { id: 'u1' }, select: { email: true, apps: { select: { id: true } } } });
      await call('findUnique', { where: { id: 'u1' }, select: { email: true, apps: { select: { id: true } } } });
      expect(calls).toEqual(['User.findFirst', 'User.findFirst', 'User.findMany', 'User.findMany', ...Array(4).fill('User.findUnique')]);
      calls.length = 0;
      await call('findUnique', { where: { id: 'u1' } }, 'App');
      await call('findUnique', { where: { id: 'u1' } }, 'User');
      await call('update', { where: { id: 'u1' }, data: {} }, 'App');
      await call('findUnique', { where: { id: 'u1' } }, 'User');
      expect(calls).toEqual(['App.findUnique', 'User.findUnique', 'App.update']);
      calls.length = 0;
      expect(await call('findUnique', { where: { id: 'missing' } })).toBeNull();
      expect(await call('findUnique', { where: { id: 'missing' } })).toBeNull();
      await call('findUniqueOrThrow', { where: { id: 'missing' } });
      expect(calls).toEqual(['User.findUnique', 'User.findUniqueOrThrow']);
      expect(cache.stats().errors).toBe(0);
    } finally {
      await cache.close();
    }
  });
});
