import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolystore, type ExactcosRecord, type Polystore } from './fixtures/runtime/generated/index.js';
import { openMilvusLite } from './helpers/engines.js';
import { random, randomVector } from './helpers/vectors.js';

type Where = NonNullable<Parameters<Polystore['vectors']['exactcos']['count']>[0]>;
const N = 300;
const next = random(2026);
const records: ExactcosRecord[] = Array.from({ length: N }, (_, i) => ({
  id: `r${String(i).padStart(3, '0')}`,
  label: i % 50 === 0 ? `l" or 1==1 or "${i}` : `l${i % 20}`,
  n: i % 4 === 0 ? null : i % 9,
  w: i % 5 === 0 ? null : Math.round(next() * 1000) / 1000,
  flag: i % 2 === 0,
  kind: (['memo', 'todo', 'idea'] as const)[i % 3],
  at: new Date(Date.UTC(2026, 0, 1 + (i % 60))),
  meta: i % 6 === 0 ? null : { tags: i % 3 === 0 ? ['a', 'b'] : ['c'], source: { page: i % 7 }, lang: i % 2 ? 'en' : 'fr' },
  embedding: randomVector(next, 16),
}));
const queries = Array.from({ length: 4 }, () => randomVector(next, 16));

const FILTERS: Array<Where | undefined> = [
  undefined,
  { kind: 'todo' },
  { n: null },
  { NOT: [{ n: 3 }] },
  { n: { notIn: [1, 2] } },
  { NOT: [{ n: { in: [1, 2] } }] },
  { w: { gt: 0.5 } },
  { NOT: [{ w: { gt: 0.5 } }] },
  { OR: [{ flag: true }, { n: { lt: 3 } }], NOT: [{ kind: 'memo' }] },
  { meta: { path: ['source', 'page'], equals: 3 } },
  { NOT: [{ meta: { path: ['source', 'page'], equals: 3 } }] },
  { meta: { contains: { tags: ['b'] } } },
  { NOT: [{ meta: { contains: { lang: 'en', source: { page: 2 } } } }] },
  { meta: null },
  { at: { gte: new Date(Date.UTC(2026, 1, 1)) }, label: { in: ['l3', 'l7', 'l" or 1==1 or "100'] } },
  { id: { gt: 'r150' }, w: { lte: 0.3 } },
];

/**
 * The same data and calls on pgvector (PGlite) and Milvus (Milvus Lite), with exact search on both, so
 * that results are deterministic: the same ids in the same order, scores within 1e-4, the same counts and
 * the same errors.
 */
describe('parity: pgvector and Milvus return the same results', () => {
  let pg: Polystore;
  let milvus: { db: Polystore; close(): Promise<void> };
  beforeAll(async () => {
    pg = createPolystore();
    milvus = await openMilvusLite();
    for (const db of [pg, milvus.db]) {
      await db.vectors.exactcos.insert(records);
      await db.vectors.exactl2.insert(records.map(({ id, label, n, embedding }) => ({ id, label, n, embedding })));
      await db.vectors.exact.insert(records.map(({ id, label, embedding }) => ({ id, label, embedding: embedding.slice(0, 4) })));
    }
  }, 120_000);
  afterAll(async () => {
    await pg.close();
    await milvus.close();
  });

  const same = (a: Array<{ id: string; score: number }>, b: Array<{ id: string; score: number }>) => {
    expect(b.map((hit) => hit.id)).toEqual(a.map((hit) => hit.id));
    a.forEach((hit, i) => expect(Math.abs(hit.score - b[i].score)).toBeLessThan(1e-4));
  };

  it.each(FILTERS.map((where) => [JSON.stringify(where) ?? 'no filter', where]))('search and count, filter %s', async (_, where) => {
    const expected = await pg.vectors.exactcos.count(where);
    expect(await milvus.db.vectors.exactcos.count(where)).toBe(expected);
    for (const vector of queries) {
      const [a, b] = await Promise.all([pg, milvus.db].map((db) => db.vectors.exactcos.search({ vector, topK: 10, where })));
      expect(a.length).toBe(Math.min(10, expected));
      same(a, b);
      expect(b.map((hit) => hit.record)).toEqual(a.map((hit) => hit.record));
    }
  });

  it('every metric scores alike: cosine similarity, inner product, negative L2 distance', async () => {
    for (const vector of queries) {
      same(await pg.vectors.exactl2.search({ vector, topK: 20 }), await milvus.db.vectors.exactl2.search({ vector, topK: 20 }));
      same(await pg.vectors.exact.search({ vector: vector.slice(0, 4), topK: 20 }), await milvus.db.vectors.exact.search({ vector: vector.slice(0, 4), topK: 20 }));
      const [a, b] = await Promise.all([pg, milvus.db].map((db) => db.vectors.exactl2.search({ vector, topK: 5, minScore: -1.2, where: { n: { gte: 2 } } })));
      same(a, b);
    }
  });

  it('get returns the same records, vectors equal as float32', async () => {
    const ids = ['r299', 'missing', 'r000', 'r050', 'r123'];
    const [a, b] = await Promise.all([pg, milvus.db].map((db) => db.vectors.exactcos.get(ids)));
    expect(b.map(({ embedding, ...rest }) => rest)).toEqual(a.map(({ embedding, ...rest }) => rest));
    b.forEach((record, i) => expect(record.embedding.map(Math.fround)).toEqual(a[i].embedding.map(Math.fround)));
  });

  it('update, upsert and delete by filter leave the same counts', async () => {
    for (const db of [pg, milvus.db]) {
      await db.vectors.exactcos.update('r001', { n: null, meta: { moved: true } });
      await db.vectors.exactcos.upsert([{ ...records[2], label: 'replaced' }, { ...records[3], id: 'r999' }]);
    }
    const deletes: Where[] = [{ kind: 'idea', NOT: [{ n: null }] }, { meta: { contains: { tags: ['a'] } } }, { w: null }];
    for (const where of deletes) {
      const [a, b] = await Promise.all([pg, milvus.db].map((db) => db.vectors.exactcos.delete({ where })));
      expect(a).toBeGreaterThan(0);
      expect(b).toBe(a);
      expect(await milvus.db.vectors.exactcos.count()).toBe(await pg.vectors.exactcos.count());
    }
    const [a, b] = await Promise.all([pg, milvus.db].map((db) => db.vectors.exactcos.search({ vector: queries[0], topK: 50 })));
    same(a, b);
  });

  it('the same bad input fails with the same error on both', async () => {
    const calls: Array<(db: Polystore) => Promise<unknown>> = [
      (db) => db.vectors.exactcos.insert([{ ...records[0], id: 'fresh', embedding: [1, 2] }]),
      (db) => db.vectors.exactcos.insert([{ ...records[7] }]),
      (db) => db.vectors.exactcos.insert([{ ...records[0], id: 'x', label: 'a'.repeat(65) }]),
      (db) => db.vectors.exactcos.search({ vector: queries[0], topK: 0 }),
      (db) => db.vectors.exactcos.count({ n: { gt: 'x' } } as never),
      (db) => db.vectors.exactcos.update('nope', { n: 1 }),
      (db) => db.vectors.exactcos.delete({ where: {} }),
    ];
    for (const call of calls) {
      const [a, b] = await Promise.all([pg, milvus.db].map((db) => call(db).then(() => 'resolved', (error: { name: string; code: string; message: string }) => [error.name, error.code, error.message])));
      expect(a).not.toBe('resolved');
      expect(b).toEqual(a);
    }
    expect(await milvus.db.vectors.exactcos.count()).toBe(await pg.vectors.exactcos.count());
  });
});
