// Keyword and hybrid search on pgvector, on every PostgreSQL engine: what they find, that the fusion is the
// reciprocal rank fusion of the backend's own two rankings, hostile text, tenants, and bad queries.
import { beforeAll, describe, expect, it } from 'vitest';
import { PolystoreError } from '../src/errors.js';
import { engines, useEngine } from './helpers/engines.js';
import { DIMENSION, expectRareTermsFound, expectReciprocalRankFusion, expectTenantsApart, expectUnspacedRunsWhole, withRareChunks } from './helpers/keyword-search.js';
import { random, randomVector } from './helpers/vectors.js';

describe.each(engines.filter((engine) => engine.backend === 'pgvector'))('keyword and hybrid search: $name', (engine) => {
  const db = useEngine(engine);
  const acme = () => db().vectors.chunks.forTenant('acme');
  const query = randomVector(random(99), DIMENSION);
  beforeAll(() => acme().insert(withRareChunks('acme')));

  it('finds rare exact terms that a vector search with unrelated embeddings misses, and hybrid keeps them in topK', () => expectRareTermsFound(acme(), query));

  it("is the reciprocal rank fusion of the backend's own keyword and vector rankings", () => expectReciprocalRankFusion(acme(), query));

  it('takes any text: operators, quotes, SQL, 10 KB, emoji, right-to-left; stop words alone match nothing', async () => {
    const hostile = ["'; DROP TABLE chunks; --", '"unterminated phrase', '&|!:*()\'', 'a\\b\\\\c \\', 'river & !stone | (garden', '-', 'OR', '""', "river's stone:*", '🦀 river 🌊', 'نهر حجر', 'x'.repeat(10_240), `${'river '.repeat(1_500)}stone`];
    for (const text of hostile) {
      const keyword = await acme().search({ text, topK: 5 });
      expect(Array.isArray(keyword), text.slice(0, 40)).toBe(true);
      const hybrid = await acme().search({ vector: query, text, topK: 5 });
      expect(hybrid).toHaveLength(5);
    }
    const vectorOnly = await acme().search({ vector: query, topK: 5 });
    // Stop words only, or excluded words only (which PostgreSQL would read as "every record without them"): no words.
    for (const text of ['the and of', '-river', '-river -stone', 'the -garden']) {
      expect(await acme().search({ text, topK: 5 }), text).toEqual([]);
      const noWords = await acme().search({ vector: query, text, topK: 5 });
      expect(noWords.map((hit) => hit.id)).toEqual(vectorOnly.map((hit) => hit.id));
      expect(noWords.every((hit) => !('text' in hit.ranks!) && hit.ranks?.vector !== undefined)).toBe(true);
    }
    // Words and excluded words: the excluded ones are out.
    const without = await acme().search({ text: 'river -stone', topK: 50 });
    expect(without.length).toBeGreaterThan(0);
    expect(without.every((hit) => hit.record.content.includes('river') && !hit.record.content.includes('stone'))).toBe(true);
    // 16,384 characters of 2 UTF-16 units each are within the limit.
    expect(await acme().search({ text: '🦀'.repeat(16_384), topK: 5 })).toEqual([]);
    expect(await db().vectors.chunks.forTenant('acme').count()).toBe(302);
  });

  it("reads an unspaced Chinese or Japanese run as one word (PostgreSQL's parser): a word inside a sentence is not found", () => expectUnspacedRunsWhole(db().vectors.chunks.forTenant('cjk'), query));

  it('keeps each tenant to its own records, for keyword and hybrid searches alike (randomized)', () => expectTenantsApart(db(), query));

  it('refuses a bad keyword or hybrid query with INVALID_QUERY naming each problem, before any database work', async () => {
    const refused = async (search: () => Promise<unknown>) => {
      const error = await search().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(PolystoreError);
      return error as PolystoreError & { issues: Array<{ code: string; path: string[]; message: string }> };
    };
    const untyped = acme() as unknown as { search(query: unknown): Promise<unknown> };
    for (const [text, message] of [['', 'text is empty'], ['   ', 'text is empty'], ['a\0b', 'NUL'], ['\uD800x', 'surrogate'], ['x'.repeat(16_385), 'longer than 16384'], [42, 'must be a string']] as const) {
      const error = await refused(() => untyped.search({ text, topK: 3 }));
      expect(error.code).toBe('INVALID_QUERY');
      expect(error.message).toContain(message);
    }
    const many = await refused(() => untyped.search({ vector: query, text: 'river', topK: 10, candidates: 5, fusion: { method: 'max', k: -1, weights: { vector: 0, text: 0, other: 1 }, extra: true } }));
    expect(many.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['candidates', 'fusion.extra', 'fusion.k', 'fusion.method', 'fusion.weights', 'fusion.weights.other']);
    // Bounds within which no fused score overflows or underflows.
    const bounds = await refused(() => untyped.search({ vector: query, text: 'river', topK: 10, fusion: { k: 1e-9, weights: { vector: Number.MAX_VALUE, text: 5e-324 } } }));
    expect(bounds.issues.map((issue) => issue.path.join('.')).sort()).toEqual(['fusion.k', 'fusion.weights.text', 'fusion.weights.vector']);
    expect((await refused(() => untyped.search({ text: 'river', topK: 3, fusion: {} }))).issues[0]).toMatchObject({ path: ['fusion'], message: expect.stringContaining('hybrid search only') });
    const passages = db().vectors.passages as unknown as { search(query: unknown): Promise<unknown> };
    expect((await refused(() => passages.search({ text: 'river', topK: 3 }))).message).toContain('"passages" has no keyword search');
  });
});
