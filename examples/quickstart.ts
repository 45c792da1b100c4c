/**
 * npm start: the data layer of schema/ on its embedded defaults. An in-memory PGlite with pgvector is
 * migrated from drizzle/, two teams store chunks in the `embeddings` collection, and each searches its own, by
 * vector and then by keyword and vector together.
 * Embeddings come from a toy bag-of-words hash, so that the example needs no model and no network.
 */
import { createHash } from 'node:crypto';
import { createPolystore } from '../generated/index.js';

const DIMENSION = 1536;

function embed(text: string): number[] {
  const vector = new Array<number>(DIMENSION).fill(0);
  for (const word of text.toLowerCase().match(/[a-z]+/g) ?? []) {
    vector[createHash('sha256').update(word).digest().readUInt32BE(0) % DIMENSION] += 1;
  }
  return vector;
}

const chunks = {
  'team-a': [
    'PostgreSQL partitions the analytics table by month',
    'Milvus holds billions of vectors across many nodes',
    'pgvector indexes vectors with HNSW or IVFFlat',
  ],
  'team-b': ['MongoDB stores chats, apps and users as documents', 'HNSW graphs trade memory for fast search'],
};

const db = createPolystore();
try {
  for (const [team, texts] of Object.entries(chunks)) {
    await db.vectors.embeddings.forTenant(team).insert(
      texts.map((content, i) => ({
        id: `${team}-chunk-${i}`,
        datasetId: 'handbook',
        collectionId: 'architecture',
        chunkId: String(i),
        // The id of the chunk's DatasetData document in MongoDB (an ObjectId's hex): docs/integrity.md.
        dataId: createHash('md5').update(`${team}/${i}`).digest('hex').slice(0, 24),
        content,
        metadata: { source: 'quickstart', position: i },
        createdAt: new Date(),
        embedding: embed(content),
      })),
    );
  }
  const question = 'How are vectors indexed with HNSW?';
  for (const team of Object.keys(chunks)) {
    const hits = await db.vectors.embeddings.forTenant(team).search({ vector: embed(question), topK: 2, where: { datasetId: 'handbook' } });
    console.log(`\n${team} asks "${question}"`);
    for (const hit of hits) console.log(`  ${hit.score.toFixed(3)}  ${hit.record.content}`);
  }
  // Keyword and vector search fused by rank (the collection declares fullText); each hit says where each side put it.
  const hybrid = await db.vectors.embeddings.forTenant('team-a').search({ vector: embed(question), text: 'billions of vectors', topK: 2 });
  console.log('\nteam-a, hybrid search for "billions of vectors":');
  for (const hit of hybrid) console.log(`  ${hit.score.toFixed(4)}  vector rank ${hit.ranks?.vector?.rank ?? '-'}, keyword rank ${hit.ranks?.text?.rank ?? '-'}  ${hit.record.content}`);
  console.log(`\nteam-a holds ${await db.vectors.embeddings.forTenant('team-a').count()} chunks; team-b cannot see them.`);
} finally {
  await db.close();
}
