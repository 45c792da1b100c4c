/**
 * Reads given up: `signal` and `timeoutMs` on search, get and count, on the native server (a read held behind a
 * table lock is cancelled on the server, not only abandoned) and on PGlite; with the cache, a read another caller
 * shares is not cancelled under it.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolystore } from './fixtures/runtime/generated/index.js';
import { serverDatabase, serverUrl } from './helpers/engines.js';
import { lockWaits, whileHeld } from './helpers/held-lock.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const records = Array.from({ length: 10 }, (_, i) => ({ id: `e${i}`, label: `l${i}`, embedding: [1, i, 0, 1] }));

describe.skipIf(!serverUrl)('cancelled reads on the native server', () => {
  let database: Awaited<ReturnType<typeof serverDatabase>>;
  let db: ReturnType<typeof createPolystore>;
  let locker: postgres.Sql;
  let monitor: postgres.Sql;
  beforeAll(async () => {
    database = await serverDatabase(serverUrl!);
    db = createPolystore({ postgres: { url: database.url, max: 4 }, cache: true });
    await db.migrate();
    await db.vectors.exact.insert(records);
    locker = postgres(database.url, { max: 1, onnotice: () => {} });
    monitor = postgres(database.url, { max: 1, onnotice: () => {} });
  }, 60_000);
  afterAll(async () => {
    await db?.close();
    await locker?.end();
    await monitor?.end();
    await database?.drop();
  });

  const whileLocked = (during: () => Promise<void>) => whileHeld(locker, (tx) => tx`lock table exact in access exclusive mode`, during);
  const waiting = () => lockWaits(monitor);

  it('an aborted search rejects with ABORTED at once, and its query is cancelled on the server', async () => {
    await whileLocked(async () => {
      const stop = new AbortController();
      const search = db.vectors.exact.search({ vector: [1, 3, 0, 1], topK: 2, cache: false, signal: stop.signal });
      for (let tries = 0; (await waiting()) === 0 && tries < 100; tries++) await pause(20);
      expect(await waiting()).toBe(1);
      const started = Date.now();
      stop.abort();
      await expect(search).rejects.toMatchObject({ code: 'ABORTED', message: 'search: aborted by its signal' });
      expect(Date.now() - started).toBeLessThan(1_000);
      for (let tries = 0; (await waiting()) > 0 && tries < 100; tries++) await pause(20);
      expect(await waiting()).toBe(0);
    });
  });

  it('timeoutMs gives a get and a count up the same way; the pool serves the next call', async () => {
    await whileLocked(async () => {
      await expect(db.vectors.exact.get(['e1'], { timeoutMs: 200, cache: false })).rejects.toMatchObject({ code: 'ABORTED', message: 'get: no answer within timeoutMs (200 ms); the call was given up' });
      await expect(db.vectors.exact.count(undefined, { timeoutMs: 200, consistency: 'primary' })).rejects.toMatchObject({ code: 'ABORTED' });
    });
    expect(await db.vectors.exact.count(undefined, { timeoutMs: 5_000 })).toBe(10);
    // Inner product: the largest second coordinate wins.
    expect((await db.vectors.exact.search({ vector: [1, 3, 0, 1], topK: 1, timeoutMs: 5_000 }))[0].record.id).toBe('e9');
  });

  it('a cached read another caller shares is not cancelled under it', async () => {
    let second: Promise<unknown> | undefined;
    await whileLocked(async () => {
      const stop = new AbortController();
      const query = { vector: [1, 4, 0, 1], topK: 1 };
      const first = db.vectors.exact.search({ ...query, signal: stop.signal });
      second = db.vectors.exact.search(query);
      await pause(100);
      stop.abort();
      await expect(first).rejects.toMatchObject({ code: 'ABORTED' });
      // Still waiting for the lock, not cancelled: it answers once the lock goes.
      expect(await Promise.race([second.then(() => 'answered', () => 'failed'), pause(300).then(() => 'waiting')])).toBe('waiting');
    });
    expect(await second).toMatchObject([{ record: { id: 'e9' } }]);
  });

  it('aborting a read queued behind another on a busy connection hands no one else its answer', async () => {
    // One connection: the get and the count wait behind the sleep on it (postgres.js pipelines them there).
    const single = createPolystore({ postgres: { url: database.url, max: 1 } });
    try {
      await single.vectors.exact.count();
      for (let round = 0; round < 5; round++) {
        const stop = new AbortController();
        // Drizzle runs a query once awaited: then() sends it, and the connection is busy before the reads queue.
        const sleep = single.sql.execute(sql`select pg_sleep(0.2)`).then(() => undefined);
        await pause(20);
        const aborted = single.vectors.exact.count(undefined, { signal: stop.signal });
        const innocent = single.vectors.exact.get(['e1']);
        const after = single.vectors.exact.count();
        await pause(50);
        stop.abort();
        await expect(aborted).rejects.toMatchObject({ code: 'ABORTED' });
        await sleep;
        expect(await innocent).toMatchObject([{ id: 'e1', label: 'l1' }]);
        expect(await after).toBe(10);
      }
    } finally {
      await single.close();
    }
  });

  it('an already aborted signal sends nothing; bad signals and timeouts are typed errors naming the option', async () => {
    const logged: string[] = [];
    const quiet = createPolystore({ postgres: database.url, logQuery: (sql) => logged.push(sql) });
    try {
      await expect(quiet.vectors.exact.search({ vector: [1, 0, 0, 1], topK: 1, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
      expect(logged).toEqual([]);
      await expect(quiet.vectors.exact.search({ vector: [1, 0, 0, 1], topK: 1, signal: 'stop' as never })).rejects.toMatchObject({ code: 'INVALID_QUERY', issues: [{ code: 'INVALID_QUERY', path: ['signal'] }] });
      for (const timeoutMs of [0, -1, 1.5, 2 ** 31, Number.NaN, '100']) {
        await expect(quiet.vectors.exact.search({ vector: [1, 0, 0, 1], topK: 1, timeoutMs } as never)).rejects.toMatchObject({ issues: [{ path: ['timeoutMs'] }] });
        await expect(quiet.vectors.exact.count(undefined, { timeoutMs } as never)).rejects.toMatchObject({ issues: [{ code: 'INVALID_OPTION', path: ['options', 'timeoutMs'] }] });
      }
      await expect(quiet.vectors.exact.get(['e1'], { signal: {} } as never)).rejects.toMatchObject({ issues: [{ path: ['options', 'signal'] }] });
    } finally {
      await quiet.close();
    }
  });
});

describe('cancelled reads on PGlite', () => {
  it('an aborted signal or a timeout rejects with ABORTED; the next read answers', async () => {
    const db = createPolystore();
    try {
      await db.vectors.exact.insert(records);
      await expect(db.vectors.exact.search({ vector: [1, 0, 0, 1], topK: 1, signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
      await expect(db.vectors.exact.count(undefined, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
      expect(await db.vectors.exact.count(undefined, { timeoutMs: 10_000 })).toBe(10);
    } finally {
      await db.close();
    }
  }, 60_000);
});
