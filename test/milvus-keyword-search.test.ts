// Keyword and hybrid search on Milvus Lite: the BM25 function the ensure creates and the checks that find it
// missing, what keyword search finds, that hybrid is the reciprocal rank fusion of the backend's own two
// rankings, hostile text, tenants, and vector searches as before.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fixtureSchema from './fixtures/runtime/drizzle/schema.js';
import { type ChunksRecord, chunksCollection, createPolystore, type Polystore } from './fixtures/runtime/generated/index.js';
import { chunksMilvus } from './fixtures/runtime/generated/milvus.js';
import { corpus, expectRareTermsFound, expectReciprocalRankFusion, expectTenantsApart, expectUnspacedRunsWhole, RARE, WORDS, withRareChunks } from './helpers/keyword-search.js';
import { cosineSimilarity, random, randomVector } from './helpers/vectors.js';
import { PolystoreError } from '../src/errors.js';
import { createRuntime } from '../src/facade/create-runtime.js';
import { analyzerDifferences, functionProblems } from '../src/runtime/milvus/inspect-full-text.js';
import { acquireMilvusLite } from '../src/runtime/milvus/milvus-lite.js';
import { checkServerVersion } from '../src/runtime/milvus/server-version.js';

const RECORD_KEYS = ['content', 'id', 'source', 'teamId'];
const DIM = chunksCollection.dimension;

describe('keyword and hybrid search on Milvus Lite', () => {
  let dir: string;
  let lite: ReturnType<typeof acquireMilvusLite>;
  let address: string;
  let sdk: MilvusClient;
  let db: Polystore;
  const open = () => createPolystore({ milvus: { address }, vectorBackends: { chunks: 'milvus' } });
  const acme = () => db.vectors.chunks.forTenant('acme');
  const query = randomVector(random(99), DIM);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'polystore-milvus-keyword-'));
    lite = acquireMilvusLite(path.join(dir, 'keyword.db'));
    address = await lite.address;
    sdk = new MilvusClient({ address, logLevel: 'error' });
    // Nothing is ensured before its first call: the first test makes the collection by hand.
    db = open();
  }, 60_000);
  afterAll(async () => {
    await db.close();
    await sdk.closeConnection();
    await lite.release();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a live collection without the BM25 function, its sparse field or its analyzer; status says drifted', async () => {
    // The collection of an earlier schema, before fullText.
    await sdk.createCollection({
      collection_name: 'chunks',
      fields: [
        { name: 'pk', data_type: DataType.VarChar, is_primary_key: true, max_length: 322 },
        { name: 'id', data_type: DataType.VarChar, max_length: 255 },
        { name: 'team_id', data_type: DataType.VarChar, max_length: 64, is_partition_key: true },
        { name: 'source', data_type: DataType.VarChar, max_length: 64 },
        { name: 'content', data_type: DataType.VarChar, max_length: 65_535 },
        { name: 'embedding', data_type: DataType.FloatVector, dim: DIM },
      ],
    });
    const stale = open();
    try {
      const status = await stale.migrationStatus();
      const chunks = status.milvus.find((collection) => collection.collection === 'chunks')!;
      expect(chunks.state).toBe('drifted');
      expect(chunks.problems).toEqual([
        expect.stringMatching(/^field "content": no analyzer, expected one \(keyword search\), analyzer default, expected \{"tokenizer":"standard"/),
        'field "full_text" is missing',
        'function "full_text_bm25" (BM25 content → full_text) is missing',
      ]);
      const error = await stale.vectors.chunks.forTenant('acme').search({ text: 'river', topK: 3 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolystoreError);
      expect(error).toMatchObject({ code: 'SCHEMA_MISMATCH', message: expect.stringContaining('function "full_text_bm25" (BM25 content → full_text) is missing') });
    } finally {
      await stale.close();
      await sdk.dropCollection({ collection_name: 'chunks' });
    }
  });

  it('creates the text field with its analyzer, the sparse field, its BM25 index and the function; status says present', async () => {
    await acme().count();
    const described = await sdk.describeCollection({ collection_name: 'chunks' });
    expect(described.schema.functions.map(({ name, type, input_field_names, output_field_names }) => ({ name, type, input_field_names, output_field_names }))).toEqual([
      { name: 'full_text_bm25', type: 'BM25', input_field_names: ['content'], output_field_names: ['full_text'] },
    ]);
    const content = described.schema.fields.find((field) => field.name === 'content')!;
    expect(content.enable_analyzer).toBe('true');
    expect(JSON.parse(content.analyzer_params as string)).toEqual(chunksMilvus.fields.find((field) => field.name === 'content')!.analyzer_params);
    expect(described.schema.fields.find((field) => field.name === 'full_text')).toMatchObject({ data_type: 'SparseFloatVector', is_function_output: true });
    const indexes = await sdk.describeIndex({ collection_name: 'chunks', field_name: 'full_text' });
    expect(Object.fromEntries(indexes.index_descriptions[0].params.map((p) => [p.key, p.value]))).toMatchObject({ index_type: 'SPARSE_INVERTED_INDEX', metric_type: 'BM25' });
    expect((await db.migrationStatus()).milvus).toEqual([{ collection: 'chunks', state: 'present', problems: [], missingIndexes: [] }]);
  });

  it('finds rare exact terms that a vector search with unrelated embeddings misses, and hybrid keeps them in topK', async () => {
    await acme().insert(withRareChunks('acme'));
    await expectRareTermsFound(acme(), query);
  });

  it('never writes or reads back the sparse field: search, get and the pages of `vectors copy` return the record', async () => {
    for (const hit of [...(await acme().search({ text: 'valve', topK: 3, includeVector: true })), ...(await acme().search({ vector: query, text: 'river', topK: 3 }))]) {
      expect(Object.keys(hit.record).sort()).toEqual(expect.arrayContaining(RECORD_KEYS));
      expect(hit.record).not.toHaveProperty('fullText');
      expect(hit.record).not.toHaveProperty('full_text');
    }
    const [part] = await acme().get(['part-7']);
    expect(Object.keys(part).sort()).toEqual([...RECORD_KEYS, 'embedding'].sort());
    // An update rewrites the row: the function fills the sparse field again from the new text.
    await acme().update('part-7', { content: 'replace valve XJ-9100 before winter' });
    expect((await acme().search({ text: 'XJ-9100', topK: 3 })).map((hit) => hit.id)).toEqual(['part-7']);
    const runtime = createRuntime(fixtureSchema, pathToFileURL(path.resolve('test/fixtures/runtime/generated/index.ts')).href, [chunksCollection], { milvus: { address } });
    try {
      const page = await runtime.backendStore<ChunksRecord>(chunksCollection, 'milvus').page(undefined, 500);
      expect(page.records).toHaveLength(302);
      for (const record of page.records) expect(Object.keys(record).sort()).toEqual([...RECORD_KEYS, 'embedding'].sort());
    } finally {
      await runtime.close();
    }
  });

  it("is the reciprocal rank fusion of the backend's own keyword and vector rankings", () => expectReciprocalRankFusion(acme(), query));

  it('takes any text: operators, quotes, SQL, backslashes, 10 KB, emoji, right-to-left, stop words only', async () => {
    const hostile = ["'; DROP TABLE chunks; --", '"unterminated phrase', '&|!:*()\'', 'a\\b\\\\c \\', 'river & !stone | (garden', '-', 'OR', '""', "river's stone:*", 'content == "x" || true', '🦀 river 🌊', 'نهر حجر', 'x'.repeat(10_240), `${'river '.repeat(1_500)}stone`, 'the and of'];
    const asWords = (text: string) => new Set(text.toLowerCase().match(/\w+/gu) ?? []);
    for (const text of hostile) {
      const words = asWords(text);
      const keyword = await acme().search({ text, topK: 5 });
      // Each hit holds one of the words (Milvus Lite keeps stop words: it has no `_english_` list).
      for (const hit of keyword) expect([...asWords(hit.record.content)].some((word) => words.has(word)), `${text.slice(0, 40)} found ${hit.record.content}`).toBe(true);
      const hybrid = await acme().search({ vector: query, text, topK: 5 });
      expect(hybrid).toHaveLength(5);
    }
    // Text without a word matches nothing: the hybrid search is the vector search.
    expect(await acme().search({ text: '&|!:*()', topK: 5 })).toEqual([]);
    const vectorOnly = await acme().search({ vector: query, topK: 5 });
    const wordless = await acme().search({ vector: query, text: '🦀 -- 🌊', topK: 5 });
    expect(wordless.map((hit) => hit.id)).toEqual(vectorOnly.map((hit) => hit.id));
    expect(wordless.every((hit) => hit.ranks?.text === undefined && hit.ranks?.vector !== undefined)).toBe(true);
    expect(await acme().count()).toBe(302);
  });

  it('on Milvus Lite, without a stemmer or stop words: a word finds only itself, and "the" is a word', async () => {
    expect((await acme().search({ text: 'winters', topK: 5 })).map((hit) => hit.id)).toEqual([]);
    expect((await acme().search({ text: 'the', topK: 5 })).map((hit) => hit.id)).toEqual(['code-3']);
  });

  it('reads an unspaced Chinese or Japanese run as one word, as PostgreSQL does: a word inside a sentence is not found', () => expectUnspacedRunsWhole(db.vectors.chunks.forTenant('cjk'), query));

  it('searches by vector as before: the nearest records, scored by the metric, without ranks', async () => {
    const all = await acme().get([...corpus('acme', 1, 300).map((record) => record.id), ...Object.keys(RARE)]);
    const nearest = all.map((record) => ({ id: record.id, score: cosineSimilarity(query, record.embedding) })).sort((a, b) => b.score - a.score);
    const hits = await acme().search({ vector: query, topK: 10 });
    expect(hits.map((hit) => hit.id)).toEqual(nearest.slice(0, 10).map((hit) => hit.id));
    hits.forEach((hit, i) => {
      expect(hit.score).toBeCloseTo(nearest[i].score, 5);
      expect(hit).not.toHaveProperty('ranks');
    });
  });

  it('keeps each tenant to its own records, for keyword and hybrid searches alike (randomized)', () => expectTenantsApart(db, query));

  it('finds what pgvector finds on the same corpus, within tenants whose ids look like Milvus expressions', async () => {
    const pg = createPolystore({});
    try {
      // Ids a careless filter would read as expressions, and near-twins; each tenant has its own corpus and the same lighthouse.
      const tenants = ['p" || team_id != "', 'p\\', 'p\\" or true or "', 'p\n', 'p', 'p ', 'P', 'p-数据'];
      for (const [i, tenant] of tenants.entries()) {
        const records = [...corpus(`p${i}`, 20 + i, 40), { id: `p${i}-lighthouse`, source: 'docs', content: 'lighthouse river', embedding: query }];
        await db.vectors.chunks.forTenant(tenant).insert(records);
        await pg.vectors.chunks.forTenant(tenant).insert(records);
      }
      const ids = async (store: ReturnType<Polystore['vectors']['chunks']['forTenant']>, search: Parameters<typeof store.search>[0]) => (await store.search(search)).map((hit) => hit.id).sort();
      for (const [i, tenant] of tenants.entries()) {
        const [milvus, postgres] = [db, pg].map((facade) => facade.vectors.chunks.forTenant(tenant));
        for (const word of [...WORDS, 'lighthouse']) {
          for (const where of [undefined, { source: 'chat' }]) {
            const found = await ids(milvus, { text: word, topK: 100, where });
            expect(found, `${tenant} ${word}`).toEqual(await ids(postgres, { text: word, topK: 100, where }));
            expect(found.every((id) => id.startsWith(`p${i}-`)), `${tenant} ${word}`).toBe(true);
          }
        }
        // Two words: every record with both (pgvector) is among those with either (Milvus's bag of words).
        const either = await ids(milvus, { text: 'river stone', topK: 100 });
        expect(either).toEqual(expect.arrayContaining(await ids(postgres, { text: 'river stone', topK: 100 })));
        const hybrid = await milvus.search({ vector: query, text: 'lighthouse', topK: 50 });
        expect(hybrid[0].id).toBe(`p${i}-lighthouse`);
        expect(hybrid.every((hit) => hit.record.teamId === tenant)).toBe(true);
      }
    } finally {
      await pg.close();
    }
  }, 120_000);

  it('refuses a bad query with INVALID_QUERY before any Milvus work, as on pgvector', async () => {
    const untyped = acme() as unknown as { search(query: unknown): Promise<unknown> };
    for (const [search, message] of [
      [{ text: '', topK: 3 }, 'text is empty'],
      [{ text: 'x'.repeat(16_385), topK: 3 }, 'longer than 16384'],
      [{ vector: query, text: 'river', topK: 10, candidates: 5 }, 'candidates must be an integer from topK'],
      [{ text: 'river', topK: 3, fusion: {} }, 'hybrid search only'],
    ] as const) {
      await expect(untyped.search(search)).rejects.toMatchObject({ code: 'INVALID_QUERY', message: expect.stringContaining(message) });
    }
  });
});

describe('the Milvus version keyword search needs', () => {
  it('is 2.5: an older server is refused by version, naming BM25 functions', () => {
    expect(() => checkServerVersion('v2.4.9', chunksMilvus)).toThrow(expect.objectContaining({ code: 'MILVUS_VERSION_UNSUPPORTED', message: expect.stringContaining('BM25 functions (keyword search: the schema’s fullText) need Milvus 2.5') }));
    expect(() => checkServerVersion('v2.5.0', chunksMilvus)).not.toThrow();
    expect(() => checkServerVersion('v2.4.9', { ...chunksMilvus, functions: [], indexes: [] })).not.toThrow();
  });
});

describe("drift in keyword search's schema", () => {
  const content = chunksMilvus.fields.find((field) => field.name === 'content')!;
  const params = (values: Record<string, string>) => (key: string) => values[key];

  it('an analyzer is the same whatever its spacing and key order; another filter or none at all is a difference', () => {
    const reordered = `{ "filter": ${JSON.stringify(content.analyzer_params!.filter, null, 2)}, "tokenizer": "standard" }`;
    expect(analyzerDifferences(params({ enable_analyzer: 'True', analyzer_params: reordered }), content)).toEqual([]);
    const unstemmed = JSON.stringify({ tokenizer: 'standard', filter: ['lowercase'] });
    expect(analyzerDifferences(params({ enable_analyzer: 'true', analyzer_params: unstemmed }), content)).toEqual([`analyzer ${unstemmed}, expected ${JSON.stringify(content.analyzer_params)}`]);
    expect(analyzerDifferences(params({ enable_analyzer: 'true', analyzer_params: '{not json' }), content)).toHaveLength(1);
    expect(analyzerDifferences(params({ enable_analyzer: 'true' }), { name: 'source', data_type: 'VarChar', max_length: 64 })).toEqual(['an analyzer, expected none']);
  });

  it('a function that reads or fills another field, or one the schema lacks, is a problem', () => {
    const [bm25] = chunksMilvus.functions!;
    expect(functionProblems([bm25], [bm25])).toEqual([]);
    expect(functionProblems([{ ...bm25, input_field_names: ['source'] }, { ...bm25, name: 'other' }], [bm25])).toEqual([
      'function "full_text_bm25": BM25 source → full_text, expected BM25 content → full_text',
      'function "other" (BM25 content → full_text) is not in the schema',
    ]);
  });
});
