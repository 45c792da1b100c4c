// Compile-time tests of the generated types: `npm run typecheck` fails if an expected error disappears.
import type { createPolystore, EmbeddingsRecord, EmbeddingsWhere, Polystore } from '../../generated/index.js';
import type { Polystore as FixturePolystore } from '../fixtures/runtime/generated/index.js';

export const filters: EmbeddingsWhere[] = [
  { datasetId: 'd1', collectionId: { in: ['c1', 'c2'] } },
  { createdAt: { gte: new Date('2026-01-01') }, content: { notIn: ['x'] } },
  { metadata: { path: ['source', 'page'], equals: 3 } },
  { metadata: { contains: { lang: 'en' } } },
  { metadata: null },
  { OR: [{ chunkId: 'a' }, { NOT: [{ datasetId: 'b' }] }], AND: [{ id: { gt: 'a' } }] },
];

// @ts-expect-error a misspelled field is a compile error
export const typo: EmbeddingsWhere = { datasetID: 'd1' };
// @ts-expect-error a value of the wrong type is a compile error
export const wrongType: EmbeddingsWhere = { createdAt: 'yesterday' };
// @ts-expect-error range operators take the field's type
export const wrongRange: EmbeddingsWhere = { createdAt: { gt: 5 } };
// @ts-expect-error a required field cannot be null
export const wrongNull: EmbeddingsWhere = { datasetId: null };

type Options = NonNullable<Parameters<typeof createPolystore>[0]>;
export const toMilvus: Options = { milvus: { address: 'localhost:19530' }, vectorBackends: { embeddings: 'milvus' } };
// @ts-expect-error vectorBackends names only the schema's collections
export const unknownCollection: Options = { vectorBackends: { embedding: 'milvus' } };
// @ts-expect-error and only known backends
export const unknownBackend: Options = { vectorBackends: { embeddings: 'qdrant' } };

declare const db: Polystore;
type Scoped = ReturnType<Polystore['vectors']['embeddings']['forTenant']>;

export async function usage(): Promise<void> {
  const chunks = db.vectors.embeddings.forTenant('team-1');
  const hits = await chunks.search({ vector: [0.1, 0.2], topK: 5, where: { datasetId: 'd1' } });
  const first: { id: string; score: number; record: { content: string; teamId?: string } } | undefined = hits[0];
  void first;
  // A record written through the tenant's store may leave the tenant field out.
  await chunks.insert([{ id: 'a', datasetId: 'd', collectionId: 'c', chunkId: 'k', dataId: '0123456789abcdef01234567', content: 't', createdAt: new Date(), embedding: [0.1] }]);
  // @ts-expect-error a multi-tenant collection cannot be read without a tenant
  await db.vectors.embeddings.search({ vector: [0.1], topK: 1 });
  // @ts-expect-error records need every required field
  await chunks.insert([{ id: 'b', embedding: [0.1] }]);
  // Keyword and hybrid search on a collection declared with fullText; each hit says where each side ranked it.
  const keyword = await chunks.search({ text: 'error E4711', topK: 5, where: { datasetId: 'd1' } });
  const hybrid = await chunks.search({ vector: [0.1], text: 'error E4711', topK: 5, candidates: 50, fusion: { k: 60, weights: { vector: 1, text: 2 } } });
  const sides: Array<number | undefined> = [keyword[0]?.ranks?.text?.rank, hybrid[0]?.ranks?.vector?.score];
  void sides;
  // @ts-expect-error fusion takes only reciprocal rank fusion
  await chunks.search({ vector: [0.1], text: 'x', topK: 5, fusion: { method: 'max' } });
  // @ts-expect-error fusion options belong to hybrid searches: not to a vector search
  await chunks.search({ vector: [0.1], topK: 5, fusion: { k: 10 } });
  // @ts-expect-error nor to a keyword search
  await chunks.search({ text: 'x', topK: 5, candidates: 50 });
}

declare const fixture: FixturePolystore;
export async function noFullText(): Promise<void> {
  await fixture.vectors.passages.search({ vector: [0.1], topK: 5 });
  // @ts-expect-error a collection without fullText has no keyword search
  await fixture.vectors.passages.search({ text: 'river', topK: 5 });
  // @ts-expect-error nor hybrid search
  await fixture.vectors.passages.search({ vector: [0.1], text: 'river', topK: 5 });
  await fixture.vectors.chunks.forTenant('t').search({ text: 'river', topK: 5 });
}

// @ts-expect-error the tenant field is not part of a scoped store's filter
export const scopedFilter: NonNullable<Parameters<Scoped['count']>[0]> = { teamId: 'team-2' };

export const record: EmbeddingsRecord = {
  id: 'a',
  teamId: 't',
  datasetId: 'd',
  collectionId: 'c',
  chunkId: 'k', dataId: '0123456789abcdef01234567',
  content: 'text',
  metadata: { page: 1, tags: ['x'] },
  createdAt: new Date(),
  embedding: [0.1, 0.2],
};

// The documents' cache is a Prisma client extension: its shape is what Prisma's $extends takes.
import type { ExtensionArgs } from '@prisma/client/runtime/library';
import type { Cache } from '../../src/cache/cache.js';
import { documentCache } from '../../src/cache/document-cache.js';

declare const cache: Cache;
export const documentsExtension: ExtensionArgs = documentCache(cache);
// @ts-expect-error a query extension's operations are functions
export const notAnExtension: ExtensionArgs = { query: { $allModels: { $allOperations: 'cache' } } };
