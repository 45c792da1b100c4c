// Issue 9's defects, each on every engine: PGlite in-process, the postgres driver over pglite-socket, Milvus Lite.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { NotesRecord } from './fixtures/runtime/generated/index.js';
import { engines, useEngine } from './helpers/engines.js';
import { note } from './helpers/vectors.js';
import { float16Round } from '../src/runtime/contract/float16.js';

const passage = (id: string, bucket: number) => ({ id, bucket, content: id, embedding: Array.from({ length: 128 }, (_, j) => ((j + bucket) % 5) + 1) });

describe.each(engines)('hardening: $name', (engine) => {
  const db = useEngine(engine);
  const tenant = (id: string) => db().vectors.notes.forTenant(id);

  it('refuses a delete whose filter places no condition, however it is written; { all: true } deletes the tenant only', async () => {
    await tenant('del-a').insert([note('a1'), note('a2', { rank: 2 })]);
    await tenant('del-b').insert([note('b1')]);
    const bucket: number | undefined = undefined;
    const noCondition: unknown[] = [
      { rank: bucket },
      undefined,
      { id: { in: undefined } },
      { AND: [] },
      { OR: [{}] },
      { NOT: [] },
      { rank: {} },
      { NOT: [{ OR: [] }] },
      { id: { notIn: [] } },
      { meta: { contains: undefined } },
    ];
    for (const where of noCondition) {
      await expect(tenant('del-a').delete({ where } as never), JSON.stringify(where)).rejects.toMatchObject({ code: 'INVALID_FILTER', message: expect.stringContaining('{ all: true }') });
    }
    await expect(tenant('del-a').delete({ all: false } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(tenant('del-a').delete({ ids: ['a1'], where: { rank: 1 } } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(tenant('del-a').delete(undefined as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(await tenant('del-a').count()).toBe(2);
    // A filter that can match nothing deletes nothing; undefined parts are absent, the rest applies.
    expect(await tenant('del-a').delete({ where: { OR: [] } })).toBe(0);
    expect(await tenant('del-a').delete({ where: { rank: 2, title: undefined } })).toBe(1);
    // Search and count read undefined the same way: no condition.
    expect(await tenant('del-a').count({ rank: bucket })).toBe(1);
    expect(await tenant('del-a').search({ vector: note('x').embedding, topK: 5, where: { AND: [], title: undefined } })).toHaveLength(1);
    expect(await tenant('del-a').delete({ all: true })).toBe(1);
    expect(await tenant('del-a').count()).toBe(0);
    expect(await tenant('del-b').count()).toBe(1);
  });

  it('update with an undefined value leaves the field as it is; null clears it', async () => {
    await tenant('upd').insert([note('u1', { weight: 0.5, meta: { a: 1 } })]);
    await tenant('upd').update('u1', { weight: undefined, meta: undefined, title: 'renamed' });
    expect(await tenant('upd').get(['u1'])).toMatchObject([{ weight: 0.5, meta: { a: 1 }, title: 'renamed' }]);
    await tenant('upd').update('u1', { weight: null });
    expect(await tenant('upd').get(['u1'])).toMatchObject([{ weight: null, meta: { a: 1 } }]);
  });

  it('a halfvec collection refuses what float16 cannot hold and reads back float16 values on every backend', async () => {
    const wide = db().vectors.wide;
    const vector = Array.from({ length: 2_048 }, (_, i) => (i === 0 ? 1 : Math.sin(i) * 10 ** ((i % 9) - 6)));
    await expect(wide.insert([{ id: 'big', label: 'x', embedding: vector.map((x, i) => (i === 1 ? 70_000 : x)) }])).rejects.toMatchObject({
      code: 'INVALID_VECTOR',
      message: expect.stringContaining('float16'),
    });
    await wide.insert([{ id: 'w1', label: 'x', embedding: vector }]);
    const [stored] = await wide.get(['w1']);
    expect(stored.embedding).toEqual(vector.map(float16Round));
    expect(stored.embedding.some((x, i) => x === 0 && vector[i] !== 0)).toBe(true); // tiny elements underflow, as documented
    const [hit] = await wide.search({ vector, topK: 1 });
    expect(hit.id).toBe('w1');
    expect(hit.score).toBeCloseTo(1, 3);
    // Every element so small that it rounds to 0 in float16: a zero vector for cosine.
    await expect(wide.search({ vector: vector.map(() => 1e-8), topK: 1 })).rejects.toMatchObject({ code: 'INVALID_VECTOR', message: expect.stringContaining('zero vector') });
    await wide.delete({ all: true });
  });

  it('refuses zero vectors on cosine collections for every write and search; other metrics take them', async () => {
    const zero = [0, 0, 0, 0, 0, 0, 0, 0];
    await tenant('zero').insert([note('z1')]);
    await expect(tenant('zero').insert([note('z2', { embedding: zero })])).rejects.toMatchObject({ code: 'INVALID_VECTOR' });
    await expect(tenant('zero').upsert([note('z1', { embedding: [-0, 0, 0, 0, 0, 0, 0, 0] })])).rejects.toMatchObject({ code: 'INVALID_VECTOR' });
    await expect(tenant('zero').update('z1', { embedding: zero })).rejects.toMatchObject({ code: 'INVALID_VECTOR' });
    await expect(tenant('zero').search({ vector: zero, topK: 3 })).rejects.toMatchObject({ code: 'INVALID_VECTOR', message: expect.stringContaining('zero vector') });
    expect(await tenant('zero').count()).toBe(1);
    await db().vectors.exact.insert([{ id: 'origin', label: 'o', embedding: [0, 0, 0, 0] }]);
    expect((await db().vectors.exact.search({ vector: [0, 0, 0, 0], topK: 1 }))[0].score).toBe(0);
    await db().vectors.exact.delete({ ids: ['origin'] });
  });

  it('refuses lone UTF-16 surrogates in ids, strings, JSON keys and filter values', async () => {
    const lone = 'a\uD800b';
    await expect(tenant('sur').insert([note(lone, { title: 't' })])).rejects.toMatchObject({ code: 'INVALID_VALUE', issues: [{ path: ['records', 0, 'id'] }] });
    await expect(tenant('sur').insert([note('s1', { title: '\uDC00' })])).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(tenant('sur').insert([note('s1', { meta: { [lone]: 1 } })])).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(tenant('sur').count({ title: lone })).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(tenant('sur').get([lone])).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    // A pair is one character: stored and found.
    await tenant('sur').insert([note('emoji \uD83E\uDDEA')]);
    expect(await tenant('sur').get(['emoji 🧪'])).toHaveLength(1);
  });

  it('refuses a tenant id the drivers would rewrite: a lone surrogate would match another tenant (U+FFFD)', async () => {
    await tenant('acme\uFFFD').insert([note('secret')]);
    expect(() => db().vectors.notes.forTenant('acme\uD800')).toThrow(expect.objectContaining({ code: 'INVALID_TENANT' }));
    for (const bad of ['', 'a\0b', 'x'.repeat(65), 5, undefined]) expect(() => db().vectors.notes.forTenant(bad as string)).toThrow(expect.objectContaining({ code: 'INVALID_TENANT' }));
    expect(await tenant('acme\uFFFD').count()).toBe(1);
    await tenant('acme\uFFFD').delete({ all: true });
  });

  it('JSON fields hold objects or arrays, nested at most 64 levels, without empty slots; paths take at most 64 keys', async () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    let deep: unknown = 1;
    for (let i = 0; i < 200_000; i++) deep = [deep];
    // eslint-disable-next-line no-sparse-arrays
    for (const meta of ['hello', '{"admin":true}', '123', 1, true, cyclic, deep, { list: [1, , 2] }]) {
      await expect(tenant('json').insert([note('j1', { meta: meta as never })]), String(typeof meta)).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    }
    await expect(tenant('json').count({ meta: { contains: cyclic as never } })).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    await expect(tenant('json').count({ meta: { path: Array.from({ length: 65 }, (_, i) => `k${i}`), equals: 1 } })).rejects.toMatchObject({ code: 'INVALID_FILTER' });
    // Strings inside a JSON value are strings, whatever they look like.
    const values = { a: '123', b: 'null', c: '"q"', d: '[1,2]', e: '', f: 'a\\b' };
    await tenant('json').insert([note('j2', { meta: values })]);
    expect((await tenant('json').get(['j2']))[0].meta).toEqual(values);
    expect(await tenant('json').count({ meta: { path: ['a'], equals: '123' } })).toBe(1);
  });

  it('refuses cosine vectors whose float32 length underflows or overflows, and unknown or mistyped search options', async () => {
    for (const vector of [Array(8).fill(1e-30), Array(8).fill(3e38)]) {
      await expect(tenant('norm').search({ vector, topK: 1 })).rejects.toMatchObject({ code: 'INVALID_VECTOR', message: expect.stringContaining('float32') });
      await expect(tenant('norm').insert([note('n1', { embedding: vector })])).rejects.toMatchObject({ code: 'INVALID_VECTOR' });
    }
    const vector = note('x').embedding;
    await expect(tenant('norm').search({ vector, topK: 1, filter: { rank: 1 } } as never)).rejects.toMatchObject({ code: 'INVALID_QUERY', issues: [{ path: ['filter'] }] });
    await expect(tenant('norm').search({ vector, topK: 1, includeVector: 'yes' } as never)).rejects.toMatchObject({ code: 'INVALID_QUERY' });
  });

  it('refuses datetimes outside the years 0001–9999 in records and filters', async () => {
    for (const createdAt of [new Date('+010000-01-01T00:00:00Z'), new Date('0000-12-31T23:59:59.999Z'), new Date(-8.64e15)]) {
      await expect(tenant('dates').insert([note('d1', { createdAt })])).rejects.toMatchObject({ code: 'INVALID_VALUE', message: expect.stringContaining('0001–9999') });
      await expect(tenant('dates').count({ createdAt: { lt: createdAt } })).rejects.toMatchObject({ code: 'INVALID_VALUE' });
    }
    const edges = [new Date('0001-01-01T00:00:00.000Z'), new Date('0099-06-15T12:34:56.789Z'), new Date('9999-12-31T23:59:59.999Z')];
    await tenant('dates').insert(edges.map((createdAt, i) => note(`edge${i}`, { createdAt })));
    expect((await tenant('dates').get(['edge0', 'edge1', 'edge2'])).map((record) => record.createdAt)).toEqual(edges);
    if (engine.backend !== 'pgvector') return;
    // A session in another time zone prints old dates with offsets of seconds (+05:41:16), and west of UTC the
    // first hours of year 1 as `0001-12-31 20:29:08-03:30:52 BC`: still read exactly.
    try {
      for (const zone of ['Asia/Kathmandu', 'America/St_Johns', 'Etc/GMT+12']) {
        await db().sql.execute(sql`SELECT set_config('TimeZone', ${zone}, false)`);
        expect((await tenant('dates').get(['edge0', 'edge1', 'edge2'])).map((record) => record.createdAt), zone).toEqual(edges);
      }
    } finally {
      await db().sql.execute(sql`SET TimeZone = 'UTC'`);
    }
  });

  it('refuses filters nested too deep or holding too many values; the deepest allowed one runs', async () => {
    await tenant('deep').insert([note('n1')]);
    const nested = (depth: number) => {
      let where: object = { rank: 1 };
      for (let i = 0; i < depth; i++) where = { NOT: [where] };
      return where;
    };
    expect(await tenant('deep').count(nested(62))).toBe(1);
    for (const depth of [65, 400, 10_000]) await expect(tenant('deep').count(nested(depth))).rejects.toMatchObject({ code: 'INVALID_FILTER', message: expect.stringContaining('64 levels') });
    const lists = Array.from({ length: 7 }, (_, i) => ({ rank: { in: Array.from({ length: 10_000 }, (_, j) => i * 10_000 + j) } }));
    await expect(tenant('deep').count({ OR: lists })).rejects.toMatchObject({ code: 'INVALID_FILTER', message: expect.stringContaining('65000') });
  });

  it('refuses arrays with empty slots, naming the index', async () => {
    // eslint-disable-next-line no-sparse-arrays
    const holes = [note('h0'), , note('h2')] as Array<Omit<NotesRecord, 'tenantId'>>;
    await expect(tenant('holes').insert(holes)).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['records', 1] }] });
    await expect(tenant('holes').upsert(new Array(2))).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['records', 0] }, { path: ['records', 1] }] });
    // eslint-disable-next-line no-sparse-arrays
    await expect(tenant('holes').get(['h0', , 'h2'] as string[])).rejects.toMatchObject({ code: 'INVALID_ID', issues: [{ path: ['ids', 1] }] });
    // eslint-disable-next-line no-sparse-arrays
    await expect(tenant('holes').count({ rank: { in: [1, , 2] as number[] } })).rejects.toMatchObject({ code: 'INVALID_FILTER', issues: [{ path: ['where', 'rank', 'in', 1] }] });
    expect(await tenant('holes').count()).toBe(0);
  });

  it('passages: a filter on a field given as undefined counts everything', async () => {
    await db().vectors.passages.insert([passage('pu1', 1), passage('pu2', 2)]);
    const bucket: number | undefined = undefined;
    expect(await db().vectors.passages.count({ bucket })).toBe(await db().vectors.passages.count());
    await expect(db().vectors.passages.delete({ where: { bucket } })).rejects.toMatchObject({ code: 'INVALID_FILTER' });
    expect(await db().vectors.passages.delete({ ids: ['pu1', 'pu2'] })).toBe(2);
  });
});
