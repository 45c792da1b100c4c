// Compile-time tests under exactOptionalPropertyTypes and noUncheckedIndexedAccess (see tsconfig.json here).
import { createPolystore, type EmbeddingsWhere, type Polystore } from '../../../generated/index.js';

declare const maybeText: string | undefined;
declare const maybeNumber: number | undefined;
declare const maybeWhere: EmbeddingsWhere | undefined;
declare const db: Polystore;

export const options = createPolystore({ postgres: maybeText, milvus: { address: 'localhost:19530', token: maybeText, timeoutMs: maybeNumber }, autoMigrate: undefined });

export async function usage(): Promise<void> {
  const chunks = db.vectors.embeddings.forTenant('team-1');
  // Values that are undefined in a request are absent: the call compiles and places no condition.
  const hits = await chunks.search({ vector: [0.1], topK: 5, where: maybeWhere, minScore: maybeNumber, includeVector: undefined });
  const best: number | undefined = hits[0]?.score;
  void best;
  await chunks.count(maybeWhere);
  await chunks.count({ datasetId: maybeText, createdAt: { gte: undefined, lt: new Date() }, AND: undefined });
  await chunks.update('a', { content: maybeText, metadata: undefined });
  await chunks.insert([{ id: 'a', teamId: undefined, datasetId: 'd', collectionId: 'c', chunkId: 'k', dataId: '0123456789abcdef01234567', content: 't', metadata: undefined, createdAt: new Date(), embedding: [0.1] }]);
  await chunks.delete({ all: true });
  await chunks.delete({ where: { datasetId: 'd' } });
  // @ts-expect-error `all` takes only true
  await chunks.delete({ all: false });
}
