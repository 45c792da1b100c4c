/**
 * Writes given up: `signal` and `timeoutMs` on insert, upsert, update and delete. On the native server a write held
 * behind a table lock rejects at once, its statement is cancelled on the server, and it writes nothing, over
 * INSERT and over binary COPY; under aborts at random moments every call that rejects with ABORTED wrote nothing
 * and every call that resolved wrote all. PGlite and Milvus Lite keep the same promise.
 */
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolystore } from './fixtures/runtime/generated/index.js';
import { openMilvusLite, serverDatabase, serverUrl } from './helpers/engines.js';
import { untilLockWaits, whileHeld } from './helpers/held-lock.js';

const record = (id: string, i = 0) => ({ id, label: `l${i}`, embedding: [1, i, 0, 1] });
const records = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => record(`${prefix}${i}`, i));

describe.skipIf(!serverUrl)('cancelled writes on the native server', () => {
  let database: Awaited<ReturnType<typeof serverDatabase>>;
  let db: ReturnType<typeof createPolystore>;
  let locker: postgres.Sql;
  let monitor: postgres.Sql;
  beforeAll(async () => {
    database = await serverDatabase(serverUrl!);
    db = createPolystore({ postgres: { url: database.url, max: 4 } });
    await db.migrate();
    await db.vectors.exact.insert(records('kept', 5));
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
  const untilWaiting = async (n: number) => expect(await untilLockWaits(monitor, n)).toBe(n);
  const ids = async () => (await monitor`select id from exact order by id`).map((row) => row.id as string);

  it('an insert aborted while it waits rejects at once with ABORTED, is cancelled on the server, and writes nothing (INSERT and COPY)', async () => {
    const before = await ids();
    for (const [prefix, n] of [['small', 3], ['copied', 300]] as const) {
      await whileLocked(async () => {
        const stop = new AbortController();
        const insert = db.vectors.exact.insert(records(prefix, n), { signal: stop.signal });
        await untilWaiting(1);
        const started = Date.now();
        stop.abort();
        await expect(insert).rejects.toMatchObject({ code: 'ABORTED', message: 'insert: aborted by its signal; nothing was written' });
        expect(Date.now() - started).toBeLessThan(1_000);
        await untilWaiting(0);
      });
      expect(await ids()).toEqual(before);
    }
  });

  it('timeoutMs gives an upsert, an update and a delete up the same way; nothing changes, and the pool serves the next call', async () => {
    await whileLocked(async () => {
      await expect(db.vectors.exact.upsert([{ ...record('kept1'), label: 'changed' }], { timeoutMs: 200 })).rejects.toMatchObject({ code: 'ABORTED', message: 'upsert: no answer within timeoutMs (200 ms); the call was given up; nothing was written' });
      await expect(db.vectors.exact.update('kept2', { label: 'changed' }, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'ABORTED' });
      await expect(db.vectors.exact.delete({ ids: ['kept3'] }, { timeoutMs: 200 })).rejects.toMatchObject({ code: 'ABORTED', message: 'delete: no answer within timeoutMs (200 ms); the call was given up; nothing was deleted' });
      await untilWaiting(0);
    });
    expect((await db.vectors.exact.get(['kept1', 'kept2', 'kept3'])).map((found) => found.label)).toEqual(['l1', 'l2', 'l3']);
    await db.vectors.exact.update('kept4', { label: 'now' }, { timeoutMs: 5_000 });
    expect(await db.vectors.exact.delete({ ids: ['kept4'] }, { timeoutMs: 5_000 })).toBe(1);
  });

  it('under aborts at random moments, a write that rejects with ABORTED wrote nothing and one that resolved wrote all', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, async (_, call) => {
        const batch = records(`r${call}-`, call % 2 === 0 ? 4 : 150);
        const outcome = await db.vectors.exact.insert(batch, { timeoutMs: 1 + ((call * 37) % 60) }).then(
          () => 'written',
          (error: { code?: string }) => error.code,
        );
        return { batch, outcome };
      }),
    );
    const present = new Set(await ids());
    for (const { batch, outcome } of outcomes) {
      expect(['written', 'ABORTED']).toContain(outcome);
      expect(batch.filter((row) => present.has(row.id)).length).toBe(outcome === 'written' ? batch.length : 0);
    }
    // Both outcomes were seen: the test tried what it means to.
    expect(new Set(outcomes.map(({ outcome }) => outcome)).size).toBe(2);
  }, 60_000);

  it("a cancel that lands late, after its query answered, fails no other caller's query on that connection", async () => {
    // One connection: what an aborted call leaves on it meets the next caller's query there, db.sql's included.
    const single = createPolystore({ postgres: { url: database.url, max: 1 } });
    try {
      const failures: string[] = [];
      let running = true;
      let answered = 0;
      const other = (async () => {
        while (running) await single.sql.execute(sql`select pg_sleep(0.002)`).then(() => answered++, (error: Error) => failures.push(error.message));
      })();
      await Promise.all(
        Array.from({ length: 3 }, async (_, caller) => {
          for (let call = 0; call < 100; call++) {
            const timeoutMs = 1 + (call % 8);
            await (call % 2 === 0 ? single.vectors.exact.insert(records(`late${caller}-${call}-`, 3), { timeoutMs }) : single.vectors.exact.count(undefined, { timeoutMs })).catch(() => undefined);
          }
        }),
      );
      running = false;
      await other;
      expect(failures).toEqual([]);
      expect(answered).toBeGreaterThan(0);
    } finally {
      await single.close();
    }
  }, 60_000);

  it('partitions.ensure given up while it waits for its table rolls that partition back; the next call makes it', async () => {
    const now = new Date('2031-06-15T00:00:00Z');
    await whileHeld(locker, (tx) => tx`lock table events in access exclusive mode`, async () => {
      const started = Date.now();
      await expect(db.partitions.ensure({ now, ahead: 0, timeoutMs: 300 })).rejects.toMatchObject({
        code: 'ABORTED',
        message: 'partitions.ensure: no answer within timeoutMs (300 ms); the call was given up; the partition being made then was rolled back, those made before stay: run it again to finish',
      });
      expect(Date.now() - started).toBeLessThan(2_000);
      await untilWaiting(0);
    });
    const partitions = async () => (await monitor`select count(*)::int as n from pg_class where relname = 'events_y2031m06'`)[0].n as number;
    expect(await partitions()).toBe(0);
    expect((await db.partitions.ensure({ now, ahead: 0, timeoutMs: 10_000 })).created.map((entry) => entry.partition)).toEqual(['events_y2031m06']);
    expect(await partitions()).toBe(1);
  });

  it('migrate given up while another process holds the migration lock applies nothing; the next migrate applies all', async () => {
    const fresh = await serverDatabase(serverUrl!);
    const other = postgres(fresh.url, { max: 2, onnotice: () => {} });
    const migrating = createPolystore({ postgres: fresh.url });
    try {
      await whileHeld(other, (tx) => tx`select pg_advisory_xact_lock(8101813523546664818)`, async () => {
        const stop = new AbortController();
        const migrate = migrating.migrate({ signal: stop.signal });
        expect(await untilLockWaits(other, 1)).toBe(1);
        stop.abort();
        await expect(migrate).rejects.toMatchObject({ code: 'ABORTED', message: expect.stringMatching(/^migrate: aborted by its signal; PostgreSQL's migrations are applied whole/) });
        expect(await untilLockWaits(other, 0)).toBe(0);
      });
      const [{ tables }] = await other`select count(*)::int as tables from pg_tables where schemaname = 'public'`;
      expect(tables).toBe(0);
      expect((await migrating.migrate({ timeoutMs: 60_000 })).postgres.length).toBeGreaterThan(0);
    } finally {
      await migrating.close();
      await other.end();
      await fresh.drop();
    }
  }, 60_000);

  it('an already aborted signal sends nothing; bad options are typed errors naming the option', async () => {
    const logged: string[] = [];
    const quiet = createPolystore({ postgres: database.url, logQuery: (sql) => logged.push(sql) });
    try {
      await quiet.vectors.exact.count();
      logged.length = 0;
      const signal = AbortSignal.abort();
      await expect(quiet.vectors.exact.insert([record('never')], { signal })).rejects.toMatchObject({ code: 'ABORTED' });
      await expect(quiet.vectors.exact.insert([], { signal })).rejects.toMatchObject({ code: 'ABORTED' });
      await expect(quiet.vectors.exact.update('kept0', { label: 'x' }, { signal })).rejects.toMatchObject({ code: 'ABORTED' });
      await expect(quiet.vectors.exact.delete({ ids: ['kept0'] }, { signal })).rejects.toMatchObject({ code: 'ABORTED', message: 'delete: aborted by its signal; nothing was deleted' });
      expect(logged).toEqual([]);
      for (const timeoutMs of [0, -1, 1.5, 2 ** 31, Number.NaN, '100']) {
        await expect(quiet.vectors.exact.insert([record('never')], { timeoutMs } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', issues: [{ code: 'INVALID_OPTION', path: ['options', 'timeoutMs'] }] });
      }
      await expect(quiet.vectors.exact.upsert([record('never')], { signal: 'stop' } as never)).rejects.toMatchObject({ issues: [{ path: ['options', 'signal'] }] });
      await expect(quiet.vectors.exact.delete({ ids: ['kept0'] }, { consistency: 'primary' } as never)).rejects.toMatchObject({ issues: [{ path: ['options', 'consistency'], message: 'unknown option (expected signal, timeoutMs)' }] });
      await expect(quiet.vectors.exact.update('kept0', { label: 'x' }, null as never)).rejects.toMatchObject({ issues: [{ path: ['options'] }] });
      await expect(quiet.migrate({ timeoutMs: 0 })).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['timeoutMs'] }] });
      await expect(quiet.migrate({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
      await expect(quiet.partitions.ensure({ signal: 'now' } as never)).rejects.toMatchObject({ issues: [{ path: ['signal'] }] });
      await expect(quiet.partitions.ensure({ signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
      expect(logged).toEqual([]);
      expect(await ids()).not.toContain('never');
    } finally {
      await quiet.close();
    }
  });
});

describe('cancelled writes on PGlite', () => {
  it('an aborted write rejects with ABORTED and writes nothing; one with time enough is written', async () => {
    const db = createPolystore();
    try {
      await db.vectors.exact.insert(records('a', 3));
      const stop = new AbortController();
      // PGlite runs in-process: the abort comes while the write waits its turn, and its commit is refused.
      const insert = db.vectors.exact.insert(records('b', 50), { signal: stop.signal });
      stop.abort();
      await expect(insert).rejects.toMatchObject({ code: 'ABORTED' });
      await expect(db.vectors.exact.delete({ ids: ['a0'] }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
      expect(await db.vectors.exact.count()).toBe(3);
      await db.vectors.exact.upsert(records('c', 20), { timeoutMs: 10_000 });
      expect(await db.vectors.exact.count()).toBe(23);
    } finally {
      await db.close();
    }
  }, 60_000);
});

describe('cancelled writes on Milvus Lite', () => {
  let milvus: Awaited<ReturnType<typeof openMilvusLite>>;
  beforeAll(async () => {
    milvus = await openMilvusLite();
    await milvus.db.vectors.exact.insert(records('kept', 3));
  }, 120_000);
  afterAll(() => milvus?.close());

  it('an abort before a write request is sent writes nothing; a write that resolved wrote all', async () => {
    const store = milvus.db.vectors.exact;
    await expect(store.insert(records('never', 5), { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED', message: 'insert: aborted by its signal; nothing was written' });
    await expect(store.delete({ ids: ['kept0'] }, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'ABORTED' });
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, (_, call) =>
        store.upsert(records(`m${call}-`, 20), { timeoutMs: 1 + call * 40 }).then(
          () => 'written',
          (error: { code?: string }) => error.code,
        ),
      ),
    );
    for (const [call, outcome] of outcomes.entries()) {
      expect(['written', 'ABORTED']).toContain(outcome);
      const found = await store.get(records(`m${call}-`, 20).map((row) => row.id));
      expect(found.length).toBe(outcome === 'written' ? 20 : 0);
    }
    expect(await store.count()).toBe(3 + 20 * outcomes.filter((outcome) => outcome === 'written').length);
  }, 120_000);
});
