// Behind PgBouncer in transaction pooling mode (Debian's 1.18, which tracks no prepared statements), with
// `postgres: { prepare: false }`: concurrent reads all settle, and migrations still take turns, their lock held by
// the transaction they run in. The PgBouncer runs each transaction on the next server connection.
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolystore } from './fixtures/runtime/generated/index.js';
import { serverDatabase, serverUrl } from './helpers/engines.js';
import { startPgBouncer } from './helpers/pgbouncer.js';

/** A call that has not settled after this long never will: unanswered queries wait forever, with no error. */
const SETTLED_WITHIN_MS = 20_000;
const settled = (call: Promise<unknown>) =>
  Promise.race([call.then(() => 'ok', (error: Error) => `failed: ${error.message}`), new Promise((resolve) => setTimeout(resolve, SETTLED_WITHIN_MS, 'never settled'))]);

describe.skipIf(!serverUrl)('through PgBouncer in transaction mode', () => {
  let database: Awaited<ReturnType<typeof serverDatabase>>;
  let bouncer: Awaited<ReturnType<typeof startPgBouncer>>;
  beforeAll(async () => {
    database = await serverDatabase(serverUrl!);
    bouncer = await startPgBouncer(serverUrl!);
  });
  afterAll(async () => {
    await bouncer?.stop();
    await database?.drop();
  });

  it('three facades migrating at once take turns: one applies, the others find nothing; no lock outlives them', async () => {
    const facades = [1, 2, 3].map(() => createPolystore({ postgres: { url: bouncer.url(database.url), prepare: false } }));
    try {
      const applied = await Promise.all(facades.map(async (db) => (await db.migrate()).postgres));
      expect(applied.filter((tags) => tags.length === 4)).toHaveLength(1);
      expect(applied.filter((tags) => tags.length === 0)).toHaveLength(2);
    } finally {
      await Promise.all(facades.map((db) => db.close()));
    }
    const direct = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      expect(await direct`select count(*)::int as held from pg_locks where locktype = 'advisory'`).toEqual([{ held: 0 }]);
    } finally {
      await direct.end();
    }
  }, 120_000);

  it('every other feature works through it: COPY writes, keyword and hybrid search, the cache, partitions, health, migrate down and up again', async () => {
    const db = createPolystore({ postgres: { url: bouncer.url(database.url), prepare: false }, cache: true });
    try {
      // 500 records a call: over binary COPY (100 and more), in the transaction that checks them.
      const team = db.vectors.chunks.forTenant('team-a');
      const words = ['pooled', 'connections', 'transaction', 'mode', 'bouncer'];
      await team.insert(Array.from({ length: 500 }, (_, i) => ({ id: `c${i}`, teamId: 'team-a', source: `s${i % 5}`, content: `${words[i % 5]} record ${i}`, embedding: Array.from({ length: 128 }, (_, k) => (k === i % 128 ? 1 : 0.01)) })));
      expect(await team.count()).toBe(500);
      const query = Array.from({ length: 128 }, (_, k) => (k === 7 ? 1 : 0.01));
      const keyword = await team.search({ text: 'bouncer', topK: 5 });
      expect(keyword).toHaveLength(5);
      expect(keyword.every((hit) => hit.record.content.startsWith('bouncer'))).toBe(true);
      const hybrid = await team.search({ vector: query, text: 'transaction', topK: 3 });
      expect(hybrid[0].ranks?.vector?.rank).toBeDefined();
      // The cache: the second search is a hit.
      const plain = await team.search({ vector: query, topK: 3 });
      expect(await team.search({ vector: query, topK: 3 })).toEqual(plain);
      expect(db.cache.stats().hits).toBeGreaterThanOrEqual(1);

      // The partitions of this month and the next (the migrations made January and February 2026's), then none again.
      expect((await db.partitions.ensure({ ahead: 1, now: new Date('2026-06-15T00:00:00Z') })).created.length).toBeGreaterThan(0);
      expect((await db.partitions.ensure({ ahead: 1, now: new Date('2026-06-15T00:00:00Z') })).created).toEqual([]);
      // Health sees that something forwards the connection: PgBouncer's port dialled, the server's own answering.
      const forwarded = { port: Number(new URL(bouncer.url(database.url)).port), serverPort: Number(new URL(database.url).port) };
      expect(await db.health()).toMatchObject({ status: 'up', stores: { postgres: { status: 'up', details: { forwarded } } } });

      // migrate down past the keyword search (its column and index go), then up again: each in its own transaction.
      await team.delete({ all: true });
      expect((await db.migrateDown({ to: '0002_halfvec_collection' })).reversed).toEqual(['0003_keyword_search']);
      expect((await db.migrate()).postgres).toEqual(['0003_keyword_search']);
    } finally {
      await db.close();
    }
  }, 120_000);

  // `?prepare=false` in the URL is what a CLI flag or POLYSTORE_POSTGRES_URL can say.
  it.each([
    { how: 'prepare: false', postgres: () => ({ url: bouncer.url(database.url), max: 10, prepare: false }) },
    { how: '?prepare=false in the URL', postgres: () => `${bouncer.url(database.url)}?prepare=false` },
  ])('40 concurrent searches, gets, counts and db.sql queries all settle, with the right answers ($how)', async ({ postgres }) => {
    const db = createPolystore({ postgres: postgres() });
    try {
      await db.vectors.exact.delete({ all: true });
      await db.vectors.exact.insert(Array.from({ length: 20 }, (_, i) => ({ id: `e${i}`, label: `l${i}`, embedding: [1, i, 0, 1] })));
      const calls = Array.from({ length: 40 }, async (_, i) => {
        const answer = await [
          async () => (await db.vectors.exact.search({ vector: [1, i % 20, 0, 1], topK: 1 })).length,
          async () => (await db.vectors.exact.get([`e${i % 20}`]))[0]?.label === `l${i % 20}`,
          () => db.vectors.exact.count(),
          async () => ((await db.sql.execute(sql`select ${i}::int as n`)) as unknown as Array<{ n: number }>)[0].n,
        ][i % 4]();
        expect(answer).toEqual([1, true, 20, i][i % 4]);
      });
      expect(await Promise.all(calls.map(settled))).toEqual(calls.map(() => 'ok'));
    } finally {
      await db.close();
    }
  }, 120_000);
});
