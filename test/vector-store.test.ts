import { describe, expect, it } from 'vitest';
import { InvalidInputError, PolystoreError } from '../src/errors.js';
import type { NotesRecord, Polystore } from './fixtures/runtime/generated/index.js';
import { engines, useEngine } from './helpers/engines.js';

const at = new Date('2026-03-01T12:00:00.000Z');
const axis = (i: number, dimension = 8) => Array.from({ length: dimension }, (_, j) => (j === i ? 1 : 0));
const note = (id: string, i: number, extra: Partial<NotesRecord> = {}): Omit<NotesRecord, 'tenantId'> => ({
  id,
  title: `note ${id}`,
  rank: i,
  published: i % 2 === 0,
  kind: (['memo', 'todo', 'idea'] as const)[i % 3],
  createdAt: at,
  embedding: axis(i % 8),
  ...extra,
});

describe.each(engines)('VectorStore: $name', (engine) => {
  const db = useEngine(engine);

  const notes = () => db().vectors.notes.forTenant('acme');

  it('inserts, gets in the order asked, and counts', async () => {
    await notes().insert([note('n1', 1), note('n2', 2, { weight: 0.5, meta: { tags: ['a', 'b'], source: { page: 3 } } }), note('n3', 3)]);
    const got = await notes().get(['n3', 'missing', 'n1']);
    expect(got.map((record) => record.id)).toEqual(['n3', 'n1']);
    expect(got[1]).toEqual({ ...note('n1', 1), tenantId: 'acme', weight: null, meta: null });
    expect(await notes().count()).toBe(3);
  });

  it('scores are higher-is-better cosine similarities, best first', async () => {
    const hits = await notes().search({ vector: [0, 1, 0.2, 0, 0, 0, 0, 0], topK: 3 });
    expect(hits.map((hit) => hit.id)).toEqual(['n1', 'n2', 'n3']);
    expect(hits[0].score).toBeCloseTo(1 / Math.sqrt(1.04), 5);
    expect(hits[1].score).toBeCloseTo(0.2 / Math.sqrt(1.04), 5);
    expect(hits[2].score).toBeCloseTo(0, 5);
    expect(hits[0].record).not.toHaveProperty('embedding');
    const withVector = await notes().search({ vector: axis(2), topK: 1, includeVector: true });
    expect(withVector[0].record.embedding).toEqual(axis(2));
  });

  it('filters: equality, in, notIn, ranges, AND, OR, NOT, null and JSON', async () => {
    const ids = async (where: Parameters<ReturnType<Polystore['vectors']['notes']['forTenant']>['count']>[0]) =>
      (await notes().search({ vector: axis(1), topK: 10, where })).map((hit) => hit.id).sort();
    expect(await ids({ kind: 'todo' })).toEqual(['n1']);
    expect(await ids({ rank: { in: [1, 3] } })).toEqual(['n1', 'n3']);
    expect(await ids({ rank: { notIn: [1] } })).toEqual(['n2', 'n3']);
    expect(await ids({ rank: { gt: 1, lte: 3 } })).toEqual(['n2', 'n3']);
    expect(await ids({ OR: [{ rank: 1 }, { kind: 'memo' }] })).toEqual(['n1', 'n3']);
    expect(await ids({ NOT: [{ rank: 1 }], published: true })).toEqual(['n2']);
    expect(await ids({ AND: [{ rank: { gte: 2 } }, { rank: { lt: 3 } }] })).toEqual(['n2']);
    expect(await ids({ weight: null })).toEqual(['n1', 'n3']);
    expect(await ids({ meta: { path: ['source', 'page'], equals: 3 } })).toEqual(['n2']);
    expect(await ids({ meta: { contains: { tags: ['b'] } } })).toEqual(['n2']);
    expect(await ids({ createdAt: { gte: new Date('2026-03-01T12:00:00Z') } })).toEqual(['n1', 'n2', 'n3']);
    expect(await ids({ rank: { in: [] } })).toEqual([]);
    expect(await ids({ title: { in: ['note n1'] }, id: { notIn: [] } })).toEqual(['n1']);
    expect(await notes().count({ rank: { gte: 2 } })).toBe(2);
  });

  it('search returns the very records get returns: Dates, JSON, nulls and vectors decoded alike', async () => {
    const hits = await notes().search({ vector: axis(2), topK: 10, includeVector: true });
    expect(hits).toHaveLength(3);
    expect(hits.map((hit) => hit.record)).toEqual(await notes().get(hits.map((hit) => hit.id)));
    expect(hits.every((hit) => hit.record.createdAt instanceof Date)).toBe(true);
  });

  it('stores each vector element as the float32 nearest to it (Math.fround): ties, subnormals and extremes too', async () => {
    // 1 + 2^-24 lies exactly between two float32s, and ties go to the even one, 1; its shortest decimal text
    // (1.0000000596046448) lies just above, so a server reading that text would store the other neighbour.
    // On an L2 collection: a cosine one refuses a vector whose squared length overflows float32.
    const points = db().vectors.points;
    const elements = [1 + 2 ** -24, 0.1, -(1 + 3 * 2 ** -24), 1e-40, 2 ** -149, -3.4028234663852886e38, 123456.789, -1e-7];
    await points.upsert([{ id: 'f32', region: 'r', embedding: elements }]);
    expect((await points.get(['f32']))[0].embedding).toEqual(elements.map(Math.fround));
    await points.update('f32', { embedding: elements.map((x) => -x) });
    expect((await points.get(['f32']))[0].embedding).toEqual(elements.map((x) => Math.fround(-x)));
    await points.delete({ ids: ['f32'] });
  });

  it('minScore drops weak hits', async () => {
    const hits = await notes().search({ vector: axis(1), topK: 3, minScore: 0.5 });
    expect(hits.map((hit) => hit.id)).toEqual(['n1']);
  });

  it('upserts: replaces existing records and adds new ones in one call', async () => {
    await notes().upsert([note('n1', 1, { title: 'renamed' }), note('n4', 4)]);
    expect((await notes().get(['n1']))[0].title).toBe('renamed');
    expect(await notes().count()).toBe(4);
  });

  it('updates a record, and refuses an unknown id', async () => {
    await notes().update('n4', { rank: 40, embedding: axis(5), meta: { moved: true } });
    const [n4] = await notes().get(['n4']);
    expect(n4).toMatchObject({ rank: 40, embedding: axis(5), meta: { moved: true } });
    await expect(notes().update('nope', { rank: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(notes().update('nope', {})).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('deletes by ids and by filter, returning how many', async () => {
    expect(await notes().delete({ ids: ['n4', 'missing'] })).toBe(1);
    expect(await notes().delete({ where: { kind: 'idea' } })).toBe(1);
    expect(await notes().count()).toBe(2);
    expect(await notes().delete({ ids: [] })).toBe(0);
  });

  describe('bad input: a typed error, and nothing written', () => {
    const cases: Array<[string, unknown, string]> = [
      ['wrong vector length', [note('b1', 1, { embedding: [1, 0] })], 'DIMENSION_MISMATCH'],
      ['NaN in the vector', [note('b1', 1, { embedding: [NaN, 0, 0, 0, 0, 0, 0, 0] })], 'INVALID_VECTOR'],
      ['Infinity in the vector', [note('b1', 1, { embedding: [Infinity, 0, 0, 0, 0, 0, 0, 0] })], 'INVALID_VECTOR'],
      ['a value beyond float32', [note('b1', 1, { embedding: [1e39, 0, 0, 0, 0, 0, 0, 0] })], 'INVALID_VECTOR'],
      ['an empty vector', [note('b1', 1, { embedding: [] })], 'EMPTY_VECTOR'],
      ['duplicate ids in one call', [note('b1', 1), note('b1', 2)], 'DUPLICATE_ID'],
      ['a batch over the maximum', Array.from({ length: 10_001 }, (_, i) => note(`x${i}`, 1)), 'BATCH_TOO_LARGE'],
      ['a float where an int goes', [note('b1', 1, { rank: 1.5 })], 'INVALID_VALUE'],
      ['a string over its maxLength', [note('b1', 1, { title: 'é'.repeat(101) })], 'VALUE_TOO_LONG'],
      ['an unknown enum value', [note('b1', 1, { kind: 'rant' as never })], 'INVALID_VALUE'],
      ['an unknown field', [{ ...note('b1', 1), colour: 'red' }], 'UNKNOWN_FIELD'],
      ['a missing required field', [{ ...note('b1', 1), title: undefined }], 'MISSING_FIELD'],
      ['NUL in a string', [note('b1', 1, { title: 'a\0b' })], 'INVALID_VALUE'],
      ['an empty id', [note('', 1)], 'INVALID_ID'],
      ['another tenant', [{ ...note('b1', 1), tenantId: 'globex' }], 'TENANT_MISMATCH'],
    ];
    it.each(cases)('%s', async (_, records, code) => {
      const before = await notes().count();
      // The valid first record must not be written either.
      const error = await notes()
        .insert([note('valid-first', 7), ...(records as never[])])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error).toMatchObject({ code: code === 'DUPLICATE_ID' || code === 'BATCH_TOO_LARGE' ? code : expect.any(String) });
      expect((error as InvalidInputError).issues.map((issue) => issue.code)).toContain(code);
      expect(await notes().count()).toBe(before);
    });

    it('an id that already exists fails the whole insert', async () => {
      const before = await notes().count();
      await expect(notes().insert([note('fresh', 1), note('n1', 1)])).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
      expect(await notes().count()).toBe(before);
      expect(await notes().get(['fresh'])).toEqual([]);
    });

    it('search, filters and delete check their input', async () => {
      await expect(notes().search({ vector: [1, 2], topK: 1 })).rejects.toMatchObject({ code: 'DIMENSION_MISMATCH' });
      await expect(notes().search({ vector: axis(1), topK: 0 })).rejects.toMatchObject({ code: 'INVALID_QUERY' });
      await expect(notes().search({ vector: axis(1), topK: 1001 })).rejects.toMatchObject({ code: 'INVALID_QUERY' });
      await expect(notes().count({ colour: 'red' } as never)).rejects.toMatchObject({ code: 'UNKNOWN_FIELD' });
      await expect(notes().count({ rank: 'high' } as never)).rejects.toMatchObject({ code: 'INVALID_VALUE' });
      await expect(notes().count({ kind: { gt: 'memo' } } as never)).rejects.toMatchObject({ code: 'INVALID_FILTER' });
      await expect(notes().count({ title: null } as never)).rejects.toMatchObject({ code: 'INVALID_FILTER' });
      await expect(notes().delete({ where: {} })).rejects.toMatchObject({ code: 'INVALID_FILTER' });
      await expect(notes().update('n1', { id: 'other' } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      await expect(notes().update('n1', { tenantId: 'globex' })).rejects.toMatchObject({ code: 'TENANT_MISMATCH' });
      expect(() => db().vectors.notes.forTenant('')).toThrow(PolystoreError);
    });
  });
});
