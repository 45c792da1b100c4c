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

  it('refuses bad options with every problem and its path, before opening anything', () => {
    const issuesOf = (options: unknown) => {
      try {
        createPolystore(options as never);
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
        return (error as InvalidInputError).issues.map((issue) => `${issue.code} ${issue.path.join('.')}`);
      }
    };
    expect(issuesOf(null)).toEqual(['INVALID_OPTION ']);
    expect(issuesOf({ postgres: 'not a url' })).toEqual(['INVALID_OPTION postgres']);
    expect(issuesOf({ postgres: '' })).toEqual(['INVALID_OPTION postgres']);
    expect(issuesOf({ postgres: 123 })).toEqual(['INVALID_OPTION postgres']);
    expect(issuesOf({ postgres: {} })).toEqual(['INVALID_OPTION postgres.url']);
    expect(issuesOf({ postgres: { url: 'postgres://h/db', max: -1, idleTimeoutSeconds: 'x' } })).toEqual(['INVALID_OPTION postgres.max', 'INVALID_OPTION postgres.idleTimeoutSeconds']);
    expect(issuesOf({ milvus: { address: 123, attempts: 0, timeoutMs: Number.NaN, consistency: 'Bogus' } })).toEqual([
      'INVALID_OPTION milvus.address',
      'INVALID_OPTION milvus.attempts',
      'INVALID_OPTION milvus.timeoutMs',
      'INVALID_OPTION milvus.consistency',
    ]);
    expect(issuesOf({ milvus: {} })).toEqual(['INVALID_OPTION milvus.address']);
    expect(issuesOf({ pglite: { dataDir: 5 }, autoMigrate: 'yes', logQuery: 1, postgress: 'typo' })).toEqual([
      'INVALID_OPTION autoMigrate',
      'INVALID_OPTION logQuery',
      'INVALID_OPTION postgress',
      'INVALID_OPTION pglite.dataDir',
    ]);
    expect(issuesOf({ postgres: 'postgres://h/db', pglite: {} })).toEqual(['INVALID_OPTION pglite']);
    // Names of Object.prototype are unknown keys like any other, not checks.
    expect(issuesOf({ constructor: 1, milvus: { address: 'a', toString: 2 } })).toEqual(['INVALID_OPTION constructor', 'INVALID_OPTION milvus.toString']);
    // Undefined options keep their defaults.
    expect(issuesOf({ postgres: undefined, milvus: { address: 'localhost:19530', token: undefined } })).toEqual([]);
  });
});
