import { describe, expect, it } from 'vitest';
import { InvalidInputError } from '../src/errors.js';
import { createPolystore } from './golden/small/generated/index.js';
import { createPolystore as createRuntimeFixture } from './fixtures/runtime/generated/index.js';

describe('the generated facade', () => {
  it('opens when a collection is on Milvus but no Milvus is configured, and each call on it says so', async () => {
    const db = createPolystore({ autoMigrate: false });
    try {
      await expect(db.vectors.passages.count()).rejects.toMatchObject({
        code: 'MILVUS_NOT_CONFIGURED',
        message: 'a collection is on the milvus backend, but createPolystore() was given no `milvus: { address }`',
      });
    } finally {
      await db.close();
    }
  });

  it('says to run the migrations when neither pgvector nor the table is there yet', async () => {
    const db = createRuntimeFixture({ autoMigrate: false });
    try {
      const missing = { code: 'COLLECTION_MISSING', message: expect.stringContaining('run the migrations (db.migrate())') };
      await expect(db.vectors.passages.insert([{ id: 'p1', bucket: 1, content: 'x', embedding: Array(128).fill(0.5) }])).rejects.toMatchObject(missing);
      await expect(db.vectors.passages.count()).rejects.toMatchObject(missing);
      await db.sql.execute('CREATE EXTENSION vector');
      await expect(db.vectors.passages.search({ vector: Array(128).fill(0.5), topK: 1 })).rejects.toMatchObject({
        code: 'COLLECTION_MISSING',
        message: 'search: relation "passages" does not exist; run the migrations (db.migrate())',
      });
    } finally {
      await db.close();
    }
  });

  it('refuses vectorBackends that name an unknown collection or backend, before opening anything', () => {
    const error = (() => {
      try {
        createPolystore({ vectorBackends: { pasages: 'milvus', passages: 'qdrant' } as never });
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).issues).toEqual([
      { code: 'UNKNOWN_COLLECTION', path: ['vectorBackends', 'pasages'], message: 'no vector collection "pasages" (have passages)' },
      { code: 'INVALID_VALUE', path: ['vectorBackends', 'passages'], message: 'backend must be "pgvector" or "milvus", got "qdrant"' },
    ]);
  });
});
