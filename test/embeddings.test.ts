import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashedEmbedder, hashedEmbedding } from './helpers/embedders.js';
import { type EmbeddingFacade, embeddingProject, facadeOf } from './helpers/embedding-project.js';
import { EmbeddingError } from '../src/errors.js';

const A = { model: 'hash-a', dimension: 16 };

describe('embedding from the schema: PGlite', () => {
  let dir: string;
  let db: EmbeddingFacade;
  const embedA = hashedEmbedder(A.dimension, 'a');
  beforeAll(async () => {
    dir = embeddingProject(A);
    db = (await facadeOf(dir)).createPolystore({ embedders: { chunks: embedA } });
  }, 60_000);
  afterAll(() => db?.close());

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
  });
});
