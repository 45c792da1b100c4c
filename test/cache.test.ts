// The cache layer on real engines: PGlite (and the native server across processes), the in-process memory store,
// and Redis (the one .ci/run starts, and Redis servers of the tests' own, killed by PID).
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fixtureSchema from './fixtures/runtime/drizzle/schema.js';
import { createPolystore, notesCollection, type NotesRecord, type Polystore } from './fixtures/runtime/generated/index.js';
import { serverDatabase, serverUrl } from './helpers/engines.js';
import { hasRedisServer, ownRedis, redisClient, redisUrl } from './helpers/redis.js';
import { random } from './helpers/vectors.js';
import { resolveCacheSettings } from '../src/cache/cache-options.js';
import { guardedCache } from '../src/cache/cache.js';
import { memoryBackend } from '../src/cache/memory-backend.js';
import { createRuntime } from '../src/facade/create-runtime.js';
import type { PolystoreOptions } from '../src/runtime/contract/options.js';

const run = promisify(execFile);
/** Namespaces of this run only: the shared Redis may hold a former run's keys. */
const unique = randomUUID();
const note = (id: string, title = `note ${id}`, vector = [1, 0.5, 0.25, 0, 0, 0, 0, 0.1]): NotesRecord => ({
  id,
  tenantId: 't1',
  title,
  rank: 1,
  weight: null,
  published: true,
  kind: 'memo',
  createdAt: new Date('2026-03-04T05:06:07.089Z'),
  meta: { a: [1, 'x'] },
  embedding: vector,
});
const query = { vector: [1, 0.5, 0.25, 0, 0, 0, 0, 0.1], topK: 3 };
/** The searches that reach the database, as logQuery sees them. */
const searchCounter = () => {
  const seen = { searches: 0 };
  return { seen, logQuery: (sql: string) => void (/polystore_distance/.test(sql) && (seen.searches += 1)) };
};

describe('cache in memory (cache: true), on PGlite', () => {
  let db: Polystore;
  const counter = searchCounter();
  beforeAll(async () => {
    db = createPolystore({ cache: true, logQuery: counter.logQuery });
    await db.vectors.notes.forTenant('t1').insert([note('a'), note('b', 'other', [0, 1, 0, 0, 0, 0, 0, 0])]);
  });
  afterAll(() => db?.close());

  it('keeps the answer a filter had at the call: a value the caller changes while the read is in flight is neither read nor cached', async () => {
    const notes = db.vectors.notes.forTenant('t1');
    await notes.insert([note('j1'), note('j2')]);
    await notes.update('j1', { meta: { n: 1 } });
    const operand: Record<string, unknown> = { n: 1 };
    const counting = notes.count({ meta: { contains: operand as never } });
    operand.n = Object.assign(() => 0, { toString: () => '0' });
    expect(await counting).toBe(1);
    expect(await notes.count({ meta: { contains: { n: 1 } } })).toBe(1);
    expect(await notes.count({ meta: { contains: { n: 1 } } }, { cache: false })).toBe(1);
    await notes.delete({ ids: ['j1', 'j2'] });
  });

  it('answers a repeated search, get and count from the cache, with objects of its own and Dates as Dates', async () => {
    const notes = db.vectors.notes.forTenant('t1');
    const before = db.cache.stats();
    const first = await notes.search(query);
    const again = await notes.search({ ...query, where: undefined });
    expect(again).toEqual(first);
    expect(again[0].record.createdAt).toBeInstanceOf(Date);
    again[0].record.title = 'changed by the caller';
    expect((await notes.search(query))[0].record.title).toBe('note a');
    expect(await notes.get(['a'])).toEqual(await notes.get(['a']));
    expect(await notes.count({ published: true })).toBe(2);
    expect(await notes.count({ published: true })).toBe(2);
    const stats = db.cache.stats();
    expect(stats.misses - before.misses).toBe(3);
    expect(stats.hits - before.hits).toBe(4);
    expect(stats).toMatchObject({ store: 'memory', breaker: 'closed', errors: 0 });
  });

  it('every kind of write makes the earlier answers unreachable; cache: false bypasses it', async () => {
    const notes = db.vectors.notes.forTenant('t1');
    const searched = counter.seen.searches;
    await notes.search(query);
    await notes.search(query);
    expect(counter.seen.searches - searched).toBeLessThanOrEqual(1);
    await notes.update('a', { title: 'updated' });
    expect((await notes.search(query))[0].record.title).toBe('updated');
    await notes.upsert([note('a', 'upserted')]);
    expect((await notes.get(['a']))[0].title).toBe('upserted');
    await notes.insert([note('c')]);
    expect(await notes.count()).toBe(3);
    await notes.delete({ ids: ['c'] });
    expect(await notes.count()).toBe(2);
    const bypassed = counter.seen.searches;
    await notes.search({ ...query, cache: false });
    await notes.search({ ...query, cache: false });
    expect(counter.seen.searches - bypassed).toBe(2);
    await expect(notes.search({ ...query, cache: 'no' as unknown as boolean })).rejects.toMatchObject({ code: 'INVALID_QUERY', issues: [{ path: ['cache'] }] });
    await expect(notes.count(undefined, { cache: 1 as unknown as boolean })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it("keeps tenants apart: one tenant's entry never answers another's call, and its writes leave the other's entries", async () => {
    const t1 = db.vectors.notes.forTenant('t1');
    const t2 = db.vectors.notes.forTenant('t2');
    await t2.insert([{ ...note('z', 'of t2'), tenantId: 't2' }]);
    expect((await t1.search(query)).map((hit) => hit.id)).not.toContain('z');
    expect((await t2.search(query)).map((hit) => hit.id)).toEqual(['z']);
    await t1.search(query);
    const hits = db.cache.stats().hits;
    await t2.update('z', { title: 'changed' });
    await t1.search(query);
    expect(db.cache.stats().hits).toBe(hits + 1);
    expect((await t2.search(query))[0].record.title).toBe('changed');
  });

  it('input the store refuses is refused with the cache too, never answered by a look-alike entry', async () => {
    const notes = db.vectors.notes.forTenant('t1');
    await notes.count({ weight: null });
    await expect(notes.count({ weight: Number.NaN })).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(notes.count({ weight: Number.POSITIVE_INFINITY })).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await notes.count({ createdAt: { gt: new Date('2020-01-01') } });
    await expect(notes.count({ createdAt: { gt: { $date: '2020-01-01T00:00:00.000Z' } as unknown as Date } })).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(notes.count(new Map() as never)).rejects.toMatchObject({ code: 'INVALID_FILTER' });
    const errors = db.cache.stats().errors;
    await expect(notes.update('', {})).rejects.toMatchObject({ code: 'INVALID_ID' });
    expect(db.cache.stats().errors).toBe(errors);
  });

  it('N identical searches at once run one database query', async () => {
    const notes = db.vectors.notes.forTenant('t1');
    await db.cache.clear('notes');
    const searched = counter.seen.searches;
    const results = await Promise.all(Array.from({ length: 12 }, () => notes.search({ ...query, topK: 2 })));
    expect(counter.seen.searches - searched).toBe(1);
    expect(new Set(results.map((result) => JSON.stringify(result))).size).toBe(1);
    // Each caller has its own objects.
    expect(results[0][0]).not.toBe(results[1][0]);
  });

  it('holds at most maxEntries (generations included), least recently used evicted first; clear() empties a collection', async () => {
    const counted = searchCounter();
    // Two generations (the collection's, the tenant's) and two answers.
    const small = createPolystore({ cache: { maxEntries: 4 }, logQuery: counted.logQuery });
    try {
      const notes = small.vectors.notes.forTenant('t1');
      await notes.insert([note('a')]);
      for (const topK of [1, 2, 3]) await notes.search({ ...query, topK });
      expect(counted.seen.searches).toBe(3);
      await notes.search({ ...query, topK: 3 }); // kept
      expect(counted.seen.searches).toBe(3);
      await notes.search({ ...query, topK: 1 }); // evicted
      expect(counted.seen.searches).toBe(4);
      await small.cache.clear('notes');
      await notes.search({ ...query, topK: 1 });
      expect(counted.seen.searches).toBe(5);
      await expect(small.cache.clear('nope' as 'notes')).rejects.toMatchObject({ code: 'UNKNOWN_COLLECTION' });
    } finally {
      await small.close();
    }
  });

  it('entries expire after ttlSeconds', async () => {
    const counted = searchCounter();
    const short = createPolystore({ cache: { ttlSeconds: 0.2 }, logQuery: counted.logQuery });
    try {
      const notes = short.vectors.notes.forTenant('t1');
      await notes.insert([note('a')]);
      await notes.search(query);
      await notes.search(query);
      expect(counted.seen.searches).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 300));
      await notes.search(query);
      expect(counted.seen.searches).toBe(2);
    } finally {
      await short.close();
    }
  });

  it('a write through `polystore vectors copy` (every tenant) invalidates every tenant of the collection', async () => {
    const runtime = createRuntime(fixtureSchema, pathToFileURL(path.resolve('test/fixtures/runtime/generated/index.ts')).href, [notesCollection], { cache: true });
    try {
      const notes = runtime.tenantVectorStore<NotesRecord, never, 'tenantId'>(notesCollection).forTenant('t1');
      await notes.insert([note('a')]);
      expect(await notes.count()).toBe(1);
      await runtime.backendStore<NotesRecord>(notesCollection, 'pgvector').upsert([note('b')]);
      expect(await notes.count()).toBe(2);
    } finally {
      await runtime.close();
    }
  });

  it('refuses bad settings at createPolystore, naming each', () => {
    const issues = (cache: unknown) => {
      try {
        createPolystore({ cache } as PolystoreOptions<'notes'>);
        return [];
      } catch (error) {
        return (error as { issues: Array<{ path: unknown[] }> }).issues.map((issue) => issue.path.join('.'));
      }
    };
    expect(issues({ redis: 'http://localhost:6379', ttlSeconds: -1, namespace: 'a b', maxEntries: 0, colour: 1 })).toEqual([
      'cache.redis',
      'cache.ttlSeconds',
      'cache.namespace',
      'cache.maxEntries',
      'cache.colour',
    ]);
    expect(issues({ redis: 'not a url' })).toEqual(['cache.redis']);
    expect(issues({ redis: 'redis://127.0.0.1:6379/abc', ttlSeconds: 1e300, maxEntries: 2e8 })).toEqual(['cache.redis', 'cache.ttlSeconds', 'cache.maxEntries']);
    expect(issues({ redis: 'rediss://user:secret@cache.internal:6380/2', ttlSeconds: 0.5 })).toEqual([]);
    expect(issues('yes')).toEqual(['cache']);
    expect(issues(true)).toEqual([]);
  });
});

describe('invalidations in flight', () => {
  it('a write that asks again while an earlier renewal of its scope is in flight stays pending until a renewal sent after it lands', async () => {
    // The in-process store, its generation writes held or refused at will: the order of two deliveries racing.
    const memory = memoryBackend({ maxEntries: 100, maxBytes: 2 ** 20 });
    let release = () => {};
    let hold: Promise<void> | undefined = new Promise<void>((resolve) => (release = resolve));
    let refuse = false;
    const backend = {
      ...memory,
      set: async (key: string, value: string, ttlMs?: number) => {
        if (refuse) throw new Error('refused');
        await hold;
        return memory.set(key, value, ttlMs);
      },
    };
    const cache = guardedCache(backend, resolveCacheSettings(true)!);
    const first = cache.invalidate(['generation']);
    refuse = true;
    await cache.invalidate(['generation']);
    refuse = false;
    hold = undefined;
    release();
    await first;
    expect(cache.stats().pendingInvalidations).toBe(1);
    await cache.close();
  });
});

describe.skipIf(!redisUrl)('cache in Redis', () => {
  // A generous timeout: a loaded test machine must not turn these into fail-open runs (the next suite tests those).
  const settings = (namespace: string) => ({ redis: redisUrl!, namespace: `${namespace}${unique}`, timeoutMs: 2_000 });
  const open = (options: PolystoreOptions<'notes'> = {}) => createPolystore({ cache: settings('test'), ...options });

  it('two facades share it: a write through one makes the next search of the other miss', async () => {
    const counted = searchCounter();
    const pglite = await import('@electric-sql/pglite');
    const { vector } = await import('@electric-sql/pglite-pgvector');
    const client = new pglite.PGlite({ extensions: { vector } });
    const a = open({ pglite: { client }, logQuery: counted.logQuery, cache: settings('two') });
    const b = open({ pglite: { client }, logQuery: counted.logQuery, cache: settings('two') });
    const redis = await redisClient(redisUrl!);
    try {
      await a.vectors.notes.forTenant('t1').insert([note('a')]);
      // A miss stores its answer without making the caller wait, and not while the insert's invalidation may still
      // be landing (its answer could be older than that write): search again until an entry lands, for at most 10 s.
      for (let tries = 0; (await redis.keys(`two${unique}:entry:*`)).length === 0; tries++) {
        if (tries === 500) throw new Error('no cache entry was stored in 10 s');
        if (tries % 25 === 0) await a.vectors.notes.forTenant('t1').search(query);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const searched = counted.seen.searches;
      await b.vectors.notes.forTenant('t1').search(query);
      expect(counted.seen.searches).toBe(searched);
      expect(b.cache.stats()).toMatchObject({ store: 'redis', hits: 1 });
      await a.vectors.notes.forTenant('t1').update('a', { title: 'seen by b' });
      expect((await b.vectors.notes.forTenant('t1').search(query))[0].record.title).toBe('seen by b');
      expect(counted.seen.searches).toBe(searched + 1);
    } finally {
      redis.destroy();
      await a.close();
      await b.close();
      await client.close();
    }
  });

  it.skipIf(!serverUrl)('two OS processes share it: a write in the other process makes this one miss', async () => {
    const database = await serverDatabase(serverUrl!);
    const options: PolystoreOptions<'notes'> = { postgres: database.url, autoMigrate: true, cache: settings('proc') };
    const db = createPolystore(options);
    try {
      const notes = db.vectors.notes.forTenant('t1');
      await notes.insert([note('a')]);
      expect((await notes.search(query))[0].record.title).toBe('note a');
      expect((await notes.search(query))[0].record.title).toBe('note a');
      const child = new URL('./helpers/cache-child.ts', import.meta.url).pathname;
      const { stdout } = await run(process.execPath, ['--import', 'tsx', child, JSON.stringify(options), 'update', 'from the other process']);
      expect(stdout.trim()).toBe('updated');
      expect((await notes.search(query))[0].record.title).toBe('from the other process');
    } finally {
      await db.close();
      await database.drop();
    }
  }, 60_000);

  it('many reads at once on a fresh facade neither fail nor open the breaker; a write is seen by the next read of another facade', async () => {
    const namespace = 'burst';
    const pglite = await import('@electric-sql/pglite');
    const { vector } = await import('@electric-sql/pglite-pgvector');
    const client = new pglite.PGlite({ extensions: { vector } });
    const reader = open({ pglite: { client }, cache: settings(namespace) });
    const writer = open({ pglite: { client }, cache: settings(namespace) });
    try {
      await reader.vectors.notes.forTenant('t1').count(undefined, { cache: false }); // migrated, not cached
      expect(await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((rank) => writer.vectors.notes.forTenant('t1').count({ rank })))).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
      expect(writer.cache.stats()).toMatchObject({ errors: 0, bypassed: 0, breaker: 'closed' });
      expect(await reader.vectors.notes.forTenant('t1').count()).toBe(0);
      await writer.vectors.notes.forTenant('t1').insert([note('a')]);
      await writer.close();
      expect(await reader.vectors.notes.forTenant('t1').count()).toBe(1);
    } finally {
      await reader.close();
      await client.close();
    }
  });

  it('a TTL that is not a whole number of milliseconds (3 * 1.1 s, 60.0015 s) is rounded to one: answers are cached', async () => {
    for (const ttlSeconds of [3 * 1.1, 60.0015]) {
      const namespace = `ttl${unique}`;
      const db = open({ cache: { ...settings('ttl'), namespace, ttlSeconds } });
      const redis = await redisClient(redisUrl!);
      try {
        const notes = db.vectors.notes.forTenant('t1');
        await notes.insert([note('a')]);
        await notes.search(query);
        for (let tries = 0; (await redis.keys(`${namespace}:entry:*`)).length === 0; tries++) {
          expect(db.cache.stats().errors, `ttlSeconds ${ttlSeconds}`).toBe(0);
          if (tries === 500) throw new Error(`ttlSeconds ${ttlSeconds}: no cache entry was stored in 10 s`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await notes.search(query);
        expect(db.cache.stats()).toMatchObject({ hits: 1, errors: 0 });
      } finally {
        redis.destroy();
        await db.close();
      }
    }
  });

  it('clear() racing writes and reads across two facades never leaves an answer older than a resolved write (randomized)', async () => {
    const pglite = await import('@electric-sql/pglite');
    const { vector } = await import('@electric-sql/pglite-pgvector');
    const client = new pglite.PGlite({ extensions: { vector } });
    const [a, b] = [1, 2].map(() => open({ pglite: { client }, cache: settings('race') }));
    const notes = (db: Polystore) => db.vectors.notes.forTenant('t1');
    const next = random(11);
    const pause = () => new Promise((resolve) => setTimeout(resolve, next() * 4));
    try {
      await notes(a).insert([note('a', 'v0')]);
      /** The last version whose update and insert have both resolved: no read that starts later may see less. */
      let resolved = 0;
      let done = false;
      const version = (title: string) => Number(title.slice(1));
      const reader = async (db: Polystore) => {
        for (let reads = 0; !done; reads++) {
          const floor = resolved;
          const [got] = await notes(db).get(['a']);
          expect(version(got.title)).toBeGreaterThanOrEqual(floor);
          for (const hit of await notes(db).search({ ...query, where: { id: 'a' } })) expect(version(hit.record.title)).toBeGreaterThanOrEqual(floor);
          expect(await notes(db).count()).toBeGreaterThanOrEqual(floor + 1);
          if (reads % 3 === 0) await pause();
        }
      };
      const writer = async () => {
        for (let v = 1; v <= 40; v++) {
          await notes(a).update('a', { title: `v${v}` });
          await notes(a).insert([note(`r${v}`)]);
          resolved = v;
          await pause();
        }
        done = true;
      };
      const clearer = async () => {
        while (!done) {
          await (next() < 0.5 ? a : b).cache.clear(next() < 0.5 ? undefined : 'notes');
          await pause();
        }
      };
      await Promise.all([writer(), reader(a), reader(b), reader(b), clearer()]);
      for (const db of [a, b]) expect(db.cache.stats()).toMatchObject({ errors: 0, breaker: 'closed', pendingInvalidations: 0 });
      // The cache did answer: under load every read of the race may miss; of two reads at rest the second hits (the
      // first may too, when a read of the race stored the answer).
      const hits = b.cache.stats().hits;
      expect((await notes(b).get(['a']))[0].title).toBe('v40');
      expect((await notes(b).get(['a']))[0].title).toBe('v40');
      expect(b.cache.stats().hits).toBeGreaterThan(hits);
    } finally {
      await a.close();
      await b.close();
      await client.close();
    }
  }, 120_000);

  it('garbage under a key is a miss, counted as an error, never an answer', async () => {
    const namespace = `garbage${unique}`;
    const db = open({ cache: { ...settings('garbage'), namespace } });
    const redis = await redisClient(redisUrl!);
    try {
      const notes = db.vectors.notes.forTenant('t1');
      await notes.insert([note('a')]);
      const expected = await notes.search(query);
      const entries = async () => redis.keys(`${namespace}:entry:*`);
      /** Until the entry the last miss stores (without making its caller wait) has landed. */
      const landed = async () => {
        for (;;) {
          const [key] = await entries();
          const value = key ? await redis.get(key) : null;
          if (value && (JSON.parse(value) as { value?: string }).value?.includes('"g"')) return;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      };
      await landed();
      // keyv's own envelope around something that is not polystore's, then bare text keyv cannot read, under every key.
      for (const key of await entries()) await redis.set(key, JSON.stringify({ value: 'garbage{' }));
      expect(await notes.search(query)).toEqual(expected);
      expect(db.cache.stats()).toMatchObject({ hits: 0, errors: 1 });
      await landed();
      for (const key of await redis.keys(`${namespace}:*`)) await redis.set(key, 'garbage{');
      expect(await notes.search(query)).toEqual(expected);
      // Overwritten by that miss: the next search is a hit again.
      await landed();
      expect(await notes.search(query)).toEqual(expected);
      expect(db.cache.stats()).toMatchObject({ hits: 1, bypassed: 0 });
    } finally {
      redis.destroy();
      await db.close();
    }
  });
});

describe.skipIf(!hasRedisServer)('cache in Redis that fails', () => {
  it('Redis killed mid-run: no call fails, the breaker opens, and closes again once Redis is back', async () => {
    const redis = await ownRedis();
    const db = createPolystore({ cache: { redis: redis.url, timeoutMs: 50 } });
    try {
      const notes = db.vectors.notes.forTenant('t1');
      await notes.insert([note('a')]);
      await notes.search(query);
      await notes.search(query);
      expect(db.cache.stats().hits).toBe(1);
      redis.kill();
      for (let i = 0; i < 20; i++) expect((await notes.search(query))[0].id).toBe('a');
      expect(db.cache.stats().breaker).toBe('open');
      // A write while Redis is gone: its invalidation is kept, and sent first when Redis is back.
      await notes.update('a', { title: 'written while Redis was down' });
      expect(db.cache.stats().pendingInvalidations).toBe(1);
      await redis.start();
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      expect((await notes.search(query))[0].record.title).toBe('written while Redis was down');
      expect(db.cache.stats()).toMatchObject({ breaker: 'closed', pendingInvalidations: 0 });
      const hits = db.cache.stats().hits;
      await notes.search(query);
      expect(db.cache.stats().hits).toBe(hits + 1);
    } finally {
      await db.close();
      await redis.stop();
    }
  }, 60_000);

  it('a paused Redis does not hold close(): it returns within about the timeout, used or not, with an invalidation pending', async () => {
    const redis = await ownRedis();
    const used = createPolystore({ cache: { redis: redis.url, timeoutMs: 200 } });
    const fresh = createPolystore({ cache: { redis: redis.url, timeoutMs: 200 } });
    try {
      const notes = used.vectors.notes.forTenant('t1');
      await notes.insert([note('a')]);
      await notes.search(query);
      redis.pause();
      await notes.update('a', { title: 'written while Redis was paused' });
      expect((await fresh.vectors.notes.forTenant('t1').search(query))).toEqual([]);
      for (const db of [used, fresh]) {
        const started = performance.now();
        // Raced, so that a close that hangs fails the test instead of leaving this Redis paused.
        await Promise.race([db.close(), new Promise((resolve) => setTimeout(resolve, 10_000))]);
        expect(performance.now() - started).toBeLessThan(200 + 2_000);
      }
    } finally {
      redis.resume();
      await used.close();
      await fresh.close();
      await redis.stop();
    }
  }, 60_000);

  it('a Redis that refuses every write (out of memory) shows in stats() and health, though its reads succeed', async () => {
    const redis = await ownRedis();
    const admin = await redisClient(redis.url);
    const db = createPolystore({ cache: { redis: redis.url, timeoutMs: 2_000 } });
    try {
      const notes = db.vectors.notes.forTenant('t1');
      await notes.insert([note('a')]);
      await admin.configSet({ maxmemory: '1', 'maxmemory-policy': 'noeviction' });
      for (let i = 0; i < 6; i++) expect((await notes.search(query))[0].id).toBe('a');
      expect(db.cache.stats()).toMatchObject({ hits: 0, breaker: 'closed', lastWriteError: expect.stringMatching(/OOM/) });
      expect((await db.health({ timeoutMs: 2_000 })).stores.redis).toMatchObject({ status: 'degraded', error: expect.stringMatching(/latest write to Redis failed \(OOM/) });
      await admin.configSet({ maxmemory: '0' });
      await notes.search(query);
      expect(db.cache.stats().lastWriteError).toBeUndefined();
      expect((await db.health({ timeoutMs: 2_000 })).stores.redis).toMatchObject({ status: 'up' });
    } finally {
      admin.destroy();
      await db.close();
      await redis.stop();
    }
  }, 30_000);

  it('a Redis that answers slowly costs each call at most about the timeout', async () => {
    const redis = await ownRedis();
    const db = createPolystore({ cache: { redis: redis.url, timeoutMs: 50 } });
    const admin = await redisClient(redis.url);
    try {
      const notes = db.vectors.notes.forTenant('t1');
      await notes.insert([note('a')]);
      await notes.search(query);
      const uncached = performance.now();
      await notes.search({ ...query, cache: false });
      const plain = performance.now() - uncached;
      void admin.sendCommand(['DEBUG', 'SLEEP', '2']).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const started = performance.now();
      expect((await notes.search(query))[0].id).toBe('a');
      // The slow request is given up after timeoutMs: far from the 2 s Redis sleeps.
      expect(performance.now() - started).toBeLessThan(plain + 1_000);
      expect(db.cache.stats().errors).toBeGreaterThan(0);
    } finally {
      admin.destroy();
      await db.close();
      await redis.stop();
    }
  }, 30_000);

  it('a Redis unreachable from the start: calls succeed, health says down; once it is up, the cache works', async () => {
    const redis = await ownRedis();
    await redis.stop();
    const db = createPolystore({ cache: { redis: redis.url, timeoutMs: 50 } });
    try {
      const notes = db.vectors.notes.forTenant('t1');
      await notes.insert([note('a')]);
      for (let i = 0; i < 6; i++) expect(await notes.count()).toBe(1);
      expect(db.cache.stats().misses).toBe(0);
      const report = await db.health({ timeoutMs: 2_000 });
      expect(report.stores.redis).toMatchObject({ status: 'down', error: expect.any(String) });
      await redis.start();
      await new Promise((resolve) => setTimeout(resolve, 5_500));
      await notes.count();
      await notes.count();
      expect(db.cache.stats()).toMatchObject({ hits: 1, breaker: 'closed' });
    } finally {
      await db.close();
      await redis.stop();
    }
  }, 30_000);
});
