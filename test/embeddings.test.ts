/**
 * Embedding from the schema on the embedded PGlite: records and queries embedded by the application's embedder
 * (a deterministic function of the text), and every way an embedder fails: nothing written, a typed error naming
 * the model and the record. Then a facade of another model on the same database, refused before it reads.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashedEmbedder, hashedEmbedding } from './helpers/embedders.js';
import { type EmbeddingFacade, embeddingProject, facadesOn } from './helpers/embedding-project.js';
import { EmbeddingError, InvalidInputError, PolystoreError } from '../src/errors.js';

const A = { model: 'hash-a', dimension: 16 };
const embedA = hashedEmbedder(A.dimension, 'a');

describe('embedding from the schema: PGlite', () => {
  let dir: string;
  let dataDir: string;
  let db: EmbeddingFacade;
  const facades = facadesOn(() => ({ pglite: { dataDir } }));
  const open = (embedders?: object, project = dir) => facades.open(project, embedders);
  const failure = (promise: Promise<unknown>) => promise.then(() => expect.unreachable('it succeeded'), (error: unknown) => error as EmbeddingError);
  beforeAll(async () => {
    dir = embeddingProject(A);
    dataDir = mkdtempSync(join(tmpdir(), 'polystore-embeddings-'));
    db = await open(embedA);
  }, 60_000);
  afterAll(async () => {
    await facades.closeAll();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('embeds a record written without a vector from its text, and a query', async () => {
    const team = db.vectors.chunks.forTenant('t1');
    await team.insert([
      { id: 'a', content: 'the quick brown fox', rev: 1 },
      { id: 'b', content: 'lazy dogs sleep all day', rev: 1 },
    ]);
    const [a] = await team.get(['a']);
    expect(a.embedding.map((x) => Number(x.toFixed(5)))).toEqual(hashedEmbedding('the quick brown fox', A.dimension, 'a').map((x) => Number(Math.fround(x).toFixed(5))));
    const hits = await team.search({ query: 'quick brown fox', topK: 1 });
    expect(hits[0].id).toBe('a');
    const hybrid = await team.search({ query: 'lazy dogs', text: 'lazy dogs', topK: 1 });
    expect(hybrid[0].id).toBe('b');
    // An update of the text re-embeds; a vector given is written as given.
    await team.update('a', { content: 'lazy dogs again' });
    expect((await team.search({ query: 'lazy dogs again', topK: 1 }))[0].id).toBe('a');
    const own = hashedEmbedding('anything', A.dimension, 'z');
    await team.upsert([{ id: 'c', content: 'not what the vector says', rev: 1, embedding: own }]);
    expect((await team.get(['c']))[0].embedding.map((x) => x.toFixed(4))).toEqual(own.map((x) => x.toFixed(4)));
    const health = await db.health();
    expect(health.status).toBe('up');
    expect(health.stores.postgres.details.embeddings).toEqual({ chunks: { model: 'hash-a', active: 'hash-a', state: 'current', generations: [{ model: 'hash-a', dimension: A.dimension, storage: 'vector', active: true }] } });
  });

  it('writes nothing of a call whose embedder failed, and says which model and which record', async () => {
    const texts = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `f${i}`, content: `text ${i}`, rev: 1 }));
    const cases: Array<[string, (texts: string[]) => Promise<unknown>, string, RegExp]> = [
      ['throws', async () => Promise.reject(new Error('invalid api key')), 'EMBEDDER_ERROR', /failed: invalid api key/],
      ['returns too few', async (t) => t.slice(1).map((x) => hashedEmbedding(x, A.dimension, 'a')), 'EMBEDDER_RESULT', /returned 2 vectors for 3 text/],
      ['returns a wrong dimension', async (t) => t.map((x, i) => hashedEmbedding(x, i === 1 ? 8 : A.dimension, 'a')), 'DIMENSION_MISMATCH', /./],
      ['returns NaN', async (t) => t.map((x, i) => hashedEmbedding(x, A.dimension, 'a').map((v, k) => (i === 2 && k === 0 ? Number.NaN : v))), 'INVALID_VECTOR', /./],
      ['returns a zero vector (cosine)', async (t) => t.map(() => new Array(A.dimension).fill(0)), 'INVALID_VECTOR', /./],
    ];
    for (const [what, embed, code, message] of cases) {
      const failing = await open({ embed, retries: 0 });
      const error = await failure(failing.vectors.chunks.forTenant('t2').insert(texts(3)));
      expect(error, what).toBeInstanceOf(EmbeddingError);
      expect(error.code).toBe('EMBEDDING_FAILED');
      expect(error.model).toBe('hash-a');
      expect(error.issues[0].code, what).toBe(code);
      expect(error.issues[0].message, what).toMatch(message);
      if (code === 'DIMENSION_MISMATCH') expect(error.issues[0].path.slice(0, 2)).toEqual(['records', 1]);
      if (code === 'INVALID_VECTOR' && what === 'returns NaN') expect(error.issues[0].path.slice(0, 2)).toEqual(['records', 2]);
      await failing.close();
    }
    expect(await db.vectors.chunks.forTenant('t2').count()).toBe(0);
  });

  it('retries a 429 with backoff, then writes', async () => {
    let calls = 0;
    const flaky = async (texts: string[]) => {
      calls += 1;
      if (calls <= 2) throw Object.assign(new Error('rate limited'), { status: 429 });
      return embedA(texts);
    };
    const retrying = await open({ embed: flaky, retries: 3 });
    await retrying.vectors.chunks.forTenant('t3').insert([{ id: 'r1', content: 'retried text', rev: 1 }]);
    expect(calls).toBe(3);
    expect(await retrying.vectors.chunks.forTenant('t3').count()).toBe(1);
    // A 400 is not retried.
    calls = 0;
    const refused = await open({ embed: async () => { calls += 1; throw Object.assign(new Error('bad request'), { status: 400 }); }, retries: 3 });
    expect((await failure(refused.vectors.chunks.forTenant('t3').insert([{ id: 'r2', content: 'x', rev: 1 }]))).code).toBe('EMBEDDING_FAILED');
    expect(calls).toBe(1);
  });

  it('refuses a record without a vector, or a query, when no embedder is given; and bad embedders up front', async () => {
    const none = await open();
    const write = await failure(none.vectors.chunks.forTenant('t4').insert([{ id: 'n1', content: 'no embedder', rev: 1 }]));
    expect(write).toBeInstanceOf(InvalidInputError);
    expect((write as unknown as InvalidInputError).issues.map((issue) => [issue.code, issue.path.join('.')])).toEqual([['EMBEDDER_MISSING', 'records.0.embedding']]);
    const search = await failure(none.vectors.chunks.forTenant('t4').search({ query: 'x', topK: 1 }));
    expect((search as unknown as InvalidInputError).issues[0].code).toBe('EMBEDDER_MISSING');
    // New text without a vector would leave the old vector standing for it.
    await db.vectors.chunks.forTenant('t4').insert([{ id: 'n2', content: 'apples', rev: 1 }]);
    const update = await failure(none.vectors.chunks.forTenant('t4').update('n2', { content: 'rockets' }));
    expect((update as unknown as InvalidInputError).issues.map((issue) => [issue.code, issue.path.join('.')])).toEqual([['EMBEDDER_MISSING', 'changes.embedding']]);
    expect((await db.vectors.chunks.forTenant('t4').get(['n2']))[0].content).toBe('apples');
    const both = await failure(db.vectors.chunks.forTenant('t4').search({ query: 'x', vector: hashedEmbedding('x', A.dimension, 'a'), topK: 1 }));
    expect(both.code).toBe('INVALID_QUERY');
    for (const [embedders, code] of [
      [{ chunks: 42 }, 'INVALID_OPTION'],
      [{ chunks: { embed: embedA, concurrency: 0 } }, 'INVALID_OPTION'],
      [{ chunks: { 'hash-z': embedA } }, 'UNKNOWN_MODEL'],
      [{ nope: embedA }, 'UNKNOWN_COLLECTION'],
    ] as const) {
      const thrown = await facades.open(dir, undefined, { embedders }).then(() => undefined, (error: unknown) => error);
      expect(thrown, JSON.stringify(embedders)).toBeInstanceOf(PolystoreError);
      const issues = (thrown as InvalidInputError).issues ?? [];
      expect([(thrown as PolystoreError).code, ...issues.map((issue) => issue.code)], JSON.stringify(embedders)).toContain(code);
    }
  });

  it('gives up on an embedder that never answers, and refuses a model whose own limits make no sense', async () => {
    const silent = await facades.open(dir, { embed: () => new Promise<number[][]>(() => {}), timeoutMs: 200, retries: 1 });
    const hung = await failure(silent.vectors.chunks.forTenant('t5').insert([{ id: 's1', content: 'never embedded', rev: 1 }]));
    expect(hung.code).toBe('EMBEDDING_FAILED');
    expect(hung.message).toMatch(/no answer within 200 ms/);
    await silent.close();
    await silent.close();
    const failing: PromiseLike<number> = { then: (_, reject) => Promise.reject(new Error('no limits today')).then(undefined, reject) };
    for (const maxEmbeddingsPerCall of [0, -1, Number.NaN, 2.5, failing]) {
      const model = { maxEmbeddingsPerCall, doEmbed: async ({ values }: { values: string[] }) => ({ embeddings: values.map((text) => hashedEmbedding(text, A.dimension, 'a')) }) };
      const odd = await facades.open(dir, model);
      const error = await failure(odd.vectors.chunks.forTenant('t5').insert([{ id: 's2', content: 'limits', rev: 1 }]));
      expect(error.code, String(maxEmbeddingsPerCall)).toBe('INVALID_OPTION');
      expect(error.message).toMatch(/maxEmbeddingsPerCall|limits/);
      await odd.close();
    }
    expect(await db.vectors.chunks.forTenant('t5').count()).toBe(0);
  });

  it('refuses a facade of another model on the same database before it reads or writes', async () => {
    await facades.closeAll();
    const other = embeddingProject({ model: 'hash-b', dimension: A.dimension });
    const wrong = await open(hashedEmbedder(A.dimension, 'b'), other);
    const error = await failure(wrong.vectors.chunks.forTenant('t1').count());
    expect(error.code).toBe('EMBEDDING_MODEL_MISMATCH');
    expect(error.message).toMatch(/hash-a/);
    expect(error.message).toMatch(/hash-b/);
    const write = await failure(wrong.vectors.chunks.forTenant('t1').insert([{ id: 'm1', content: 'mixed', rev: 1 }]));
    expect(write.code).toBe('EMBEDDING_MODEL_MISMATCH');
    const health = await wrong.health();
    expect(health.status).toBe('degraded');
    expect(health.stores.postgres.error).toMatch(/"chunks" reads "hash-a", which the schema does not declare \("hash-b"\): its calls are refused/);
    expect(health.stores.postgres.details.embeddings).toMatchObject({ chunks: { state: 'mismatch', model: 'hash-b', active: 'hash-a' } });
    await wrong.close();
    const right = await open(embedA);
    expect(await right.vectors.chunks.forTenant('t1').get(['m1'])).toEqual([]);
  });
});
