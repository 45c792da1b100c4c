// What the keyword and hybrid search suites of both backends share: the corpus, RRF computed in the test, and
// the checks that hold alike on pgvector and on Milvus.
import { expect } from 'vitest';
import type { ChunksRecord, Polystore } from '../fixtures/runtime/generated/index.js';
import { random, randomVector } from './vectors.js';

export const WORDS = ['river', 'stone', 'garden', 'winter', 'market', 'engine', 'letter', 'window', 'forest', 'harbor', 'silver', 'thunder', 'meadow', 'lantern', 'copper', 'valley'];
export const RARE = { 'part-7': 'replace valve XJ-9000 before winter', 'code-3': 'the build failed with error E4711 in the harbor job' };
export const DIMENSION = 128;

type Chunks = ReturnType<Polystore['vectors']['chunks']['forTenant']>;

/** `n` chunks of 6 to 11 words of WORDS for `tenant`, half from 'docs' and half from 'chat'. */
export function corpus(tenant: string, seed: number, n: number): Array<Omit<ChunksRecord, 'teamId'>> {
  const next = random(seed);
  const sentence = () => Array.from({ length: 6 + Math.floor(next() * 6) }, () => WORDS[Math.floor(next() * WORDS.length)]).join(' ');
  return Array.from({ length: n }, (_, i) => ({ id: `${tenant}-${i}`, source: i % 2 === 0 ? 'docs' : 'chat', content: sentence(), embedding: randomVector(next, DIMENSION) }));
}

/** The corpus and the two rare chunks, which embeddings unrelated to their words. */
export const withRareChunks = (tenant: string) => [
  ...corpus(tenant, 1, 300),
  ...Object.entries(RARE).map(([id, content]) => ({ id, source: 'docs', content, embedding: randomVector(random(id.length), DIMENSION) })),
];

/** RRF as the API documents it, from two rankings of ids (best first); a hit with no score is not a result. */
export function rrf(vector: string[], text: string[], topK: number, k = 60, weights = { vector: 1, text: 1 }): Array<{ id: string; score: number }> {
  const scores = new Map<string, number>();
  vector.forEach((id, i) => scores.set(id, (scores.get(id) ?? 0) + weights.vector / (k + i + 1)));
  text.forEach((id, i) => scores.set(id, (scores.get(id) ?? 0) + weights.text / (k + i + 1)));
  return [...scores].filter(([, score]) => score > 0).map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1)).slice(0, topK);
}

/** Keyword search finds the rare terms, a vector search with unrelated embeddings misses them, hybrid keeps them. */
export async function expectRareTermsFound(store: Chunks, query: number[]): Promise<void> {
  const keyword = await store.search({ text: 'XJ-9000', topK: 5 });
  expect(keyword.map((hit) => hit.id)).toEqual(['part-7']);
  expect(keyword[0].ranks).toEqual({ text: { rank: 1, score: keyword[0].score } });
  expect(keyword[0].score).toBeGreaterThan(0);
  expect((await store.search({ text: 'E4711', topK: 5 })).map((hit) => hit.id)).toEqual(['code-3']);
  expect((await store.search({ vector: query, topK: 10 })).map((hit) => hit.id)).not.toContain('part-7');
  const hybrid = await store.search({ vector: query, text: 'valve XJ-9000', topK: 10 });
  expect(hybrid).toHaveLength(10);
  const found = hybrid.find((hit) => hit.id === 'part-7')!;
  expect(found.ranks?.text).toMatchObject({ rank: 1 });
  expect(found.record.content).toBe(RARE['part-7']);
  // Keyword search's column or field is never part of a record.
  expect(Object.keys(found.record).sort()).toEqual(['content', 'id', 'source', 'teamId']);
}

/**
 * A hybrid search equals RRF computed here from the backend's own keyword ranking and vector ranking (each at
 * topK = candidates), scores and each side's rank and score included; hits found by both sides and by each alone.
 */
export async function expectReciprocalRankFusion(store: Chunks, query: number[]): Promise<void> {
  const found = { both: 0, vector: 0, text: 0 };
  for (const [text, topK, fusion] of [
    ['river garden', 10, undefined],
    ['stone market thunder', 7, { k: 10, weights: { vector: 0.5, text: 2 } }],
    ['copper valley', 25, { weights: { vector: 1, text: 0 } }],
    ['harbor', 40, { weights: { vector: 0, text: 1 } }],
  ] as const) {
    const candidates = 60;
    const where = { source: 'docs' };
    const vectorSide = await store.search({ vector: query, topK: candidates, where });
    const textSide = await store.search({ text, topK: candidates, where });
    expect(textSide.length).toBeGreaterThan(0);
    const expected = rrf(vectorSide.map((hit) => hit.id), textSide.map((hit) => hit.id), topK, fusion?.k, { vector: fusion?.weights?.vector ?? 1, text: fusion?.weights?.text ?? 1 });
    const hybrid = await store.search({ vector: query, text, topK, where, candidates, fusion });
    expect(hybrid.length).toBe(Math.min(topK, expected.length));
    expect(hybrid.map((hit) => hit.id)).toEqual(expected.map((hit) => hit.id));
    hybrid.forEach((hit, i) => {
      expect(hit.score).toBeCloseTo(expected[i].score, 12);
      const vectorRank = vectorSide.findIndex((candidate) => candidate.id === hit.id);
      const textRank = textSide.findIndex((candidate) => candidate.id === hit.id);
      // A side that did not find the hit is absent, not undefined.
      expect(Object.keys(hit.ranks!).sort()).toEqual([...(textRank < 0 ? [] : ['text']), ...(vectorRank < 0 ? [] : ['vector'])]);
      expect(hit.ranks?.vector).toEqual(vectorRank < 0 ? undefined : { rank: vectorRank + 1, score: expect.closeTo(vectorSide[vectorRank].score, 6) });
      expect(hit.ranks?.text).toEqual(textRank < 0 ? undefined : { rank: textRank + 1, score: expect.closeTo(textSide[textRank].score, 6) });
      expect(hit.record.source).toBe('docs');
      found[hit.ranks?.vector && hit.ranks.text ? 'both' : hit.ranks?.vector ? 'vector' : 'text'] += 1;
    });
  }
  expect(Math.min(found.both, found.vector, found.text)).toBeGreaterThan(0);
  // The default breadth: 4 × topK, at least 40.
  const textSide = (await store.search({ text: 'winter', topK: 40 })).map((hit) => hit.id);
  const vectorSide = (await store.search({ vector: query, topK: 40 })).map((hit) => hit.id);
  expect((await store.search({ vector: query, text: 'winter', topK: 5 })).map((hit) => hit.id)).toEqual(rrf(vectorSide, textSide, 5).map((hit) => hit.id));
}

/**
 * Randomized: three tenants each hold a corpus and one record that matches the same text and vector; keyword and
 * hybrid searches, with and without `where`, only ever return the searching tenant's own records.
 */
export async function expectTenantsApart(db: Polystore, query: number[]): Promise<void> {
  const next = random(5);
  const tenants = ['t1', 't2', 't3'];
  for (const [i, tenant] of tenants.entries()) {
    await db.vectors.chunks.forTenant(tenant).insert([...corpus(tenant, 10 + i, 40), { id: `${tenant}-lighthouse`, source: 'docs', content: 'lighthouse', embedding: query }]);
  }
  const word = () => WORDS[Math.floor(next() * WORDS.length)];
  for (let round = 0; round < 30; round++) {
    const tenant = tenants[Math.floor(next() * tenants.length)];
    const text = `${word()} or ${next() < 0.5 ? 'lighthouse' : word()}`;
    const where = next() < 0.5 ? { source: 'chat' } : undefined;
    const store = db.vectors.chunks.forTenant(tenant);
    for (const hits of [await store.search({ text, topK: 50, where }), await store.search({ vector: next() < 0.5 ? query : randomVector(next, DIMENSION), text, topK: 50, where })]) {
      expect(hits.length).toBeGreaterThan(0);
      for (const hit of hits) {
        expect(hit.id.startsWith(`${tenant}-`), `${tenant} got ${hit.id}`).toBe(true);
        expect(hit.record.teamId).toBe(tenant);
        if (where) expect(hit.record.source).toBe('chat');
      }
    }
  }
}

/**
 * Today's limit, pinned so that segmentation shows up when it comes: both backends read a run of Chinese or
 * Japanese without spaces as one word, so only the whole run finds it, a word inside it does not; a hybrid search
 * still ranks by its vector side.
 */
export async function expectUnspacedRunsWhole(store: Chunks, query: number[]): Promise<void> {
  await store.insert([
    { id: 'zh', source: 'docs', content: '向量数据库支持混合检索', embedding: query },
    { id: 'ja', source: 'docs', content: 'ベクトルデータベースで検索する', embedding: query },
    { id: 'zh-spaced', source: 'docs', content: '向量 数据库 支持 混合 检索', embedding: randomVector(random(7), DIMENSION) },
  ]);
  const found = async (text: string) => (await store.search({ text, topK: 5 })).map((hit) => hit.id).sort();
  expect(await found('向量数据库支持混合检索')).toEqual(['zh']);
  expect(await found('ベクトルデータベースで検索する')).toEqual(['ja']);
  expect(await found('数据库')).toEqual(['zh-spaced']);
  for (const word of ['データベース', '検索', '混合检索']) expect(await found(word), word).toEqual([]);
  const hybrid = await store.search({ vector: query, text: '数据库', topK: 3 });
  expect(hybrid.filter((hit) => hit.id !== 'zh-spaced').map((hit) => [hit.id, Object.keys(hit.ranks!)])).toEqual(expect.arrayContaining([['zh', ['vector']], ['ja', ['vector']]]));
}
