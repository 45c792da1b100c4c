// A facade's life: migrations before the first `db.sql` query, close() once and for all, migrations of
// replicas that start together.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { events } from './fixtures/runtime/drizzle/schema.js';
import { createPolystore } from './fixtures/runtime/generated/index.js';
import { openMilvusLite, serverDatabase, serverUrl } from './helpers/engines.js';

const run = promisify(execFile);
const passage = (id: string) => ({ id, bucket: 1, content: id, embedding: Array.from({ length: 128 }, (_, i) => (i % 3) + 1) });

describe('facade lifecycle', () => {
  it('migrates the embedded PGlite before the first db.sql query', async () => {
    const db = createPolystore();
    try {
      await db.sql.insert(events).values({ kind: 'first', at: new Date('2026-01-05T00:00:00Z') });
      expect((await db.sql.select().from(events)).map((row) => row.kind)).toEqual(['first']);
    } finally {
      await db.close();
    }
  });

  it('close() is idempotent; calls in flight finish, calls after it are CLOSED (PGlite)', async () => {
    const db = createPolystore();
    await db.vectors.passages.insert([passage('p1')]);
    const inFlight = db.vectors.passages.count();
    const closes = [db.close(), db.close()];
    expect(await inFlight).toBe(1);
    await Promise.all(closes);
    await db.close();
    const closed = { code: 'CLOSED', message: expect.stringContaining('closed') };
    await expect(db.vectors.passages.count()).rejects.toMatchObject(closed);
    await expect(db.vectors.notes.forTenant('t').get(['x'])).rejects.toMatchObject(closed);
    // Drizzle wraps every driver error of db.sql in its DrizzleQueryError: CLOSED is its cause.
    await expect(db.sql.select().from(events)).rejects.toMatchObject({ cause: closed });
    await expect(db.migrate()).rejects.toMatchObject(closed);
  });

  it('close() is idempotent; calls in flight finish, calls after it are CLOSED (Milvus Lite)', async () => {
    const { db, close } = await openMilvusLite();
    try {
      await db.vectors.passages.insert([passage('m1')]);
      const search = db.vectors.passages.search({ vector: passage('x').embedding, topK: 1 });
      const upsert = db.vectors.passages.upsert([passage('m2')]);
      const closing = db.close();
      const [hits] = await Promise.all([search, upsert]);
      expect(hits.map((hit) => hit.id)).toEqual(['m1']);
      await closing;
      await expect(db.vectors.passages.count()).rejects.toMatchObject({ code: 'CLOSED' });
    } finally {
      await close();
    }
  }, 60_000);
});

describe.skipIf(!serverUrl)('migrations on a real PostgreSQL server', () => {
  it('three processes migrating one new database at once all succeed, and the migrations apply once', async () => {
    const database = await serverDatabase(serverUrl!);
    try {
      const child = new URL('./helpers/migrate-child.ts', import.meta.url).pathname;
      const outcomes = await Promise.allSettled([1, 2, 3].map(() => run(process.execPath, ['--import', 'tsx', child, database.url])));
      expect(outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.stdout.trim() : String(outcome.reason)))).toEqual(['migrated', 'migrated', 'migrated']);
      const db = postgres(database.url, { max: 1, onnotice: () => {} });
      const [{ n }] = await db<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
      await db.end();
      expect(n).toBe(1);
    } finally {
      await database.drop();
    }
  }, 120_000);
});
