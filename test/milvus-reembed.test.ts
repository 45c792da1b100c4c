/**
 * A change of embedding model on Milvus (Lite, as a server that several processes share): a second collection
 * filled by the CLI beside the live one while a writer writes, then cutover, rollback and finalize.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polystore, polystoreAsync } from './helpers/cli.js';
import { hashedEmbedder, hashedEmbedding } from './helpers/embedders.js';
import { changedProject, embeddingProject, facadesOn } from './helpers/embedding-project.js';
import { acquireMilvusLite, type MilvusLiteServer } from '../src/runtime/milvus/milvus-lite.js';

const N = 1_500;
const A = { model: 'hash-a', dimension: 32, backend: 'milvus' as const };
const B = { model: 'hash-b', dimension: 48, backend: 'milvus' as const };
const config = `import { hashedEmbedder } from '../../helpers/embedders.ts';
export default { schema: './schema.ts', out: '.', embedders: { chunks: hashedEmbedder(48, 'b') } };
`;
const text = (i: number, rev: number) => `chunk ${i} revision ${rev} about topic ${i % 31}`;

describe('a change of embedding model while a writer writes: Milvus Lite', () => {
  let dataDir: string;
  let server: MilvusLiteServer;
  let address: string;
  let v1: string;
  let v2: string;
  const facades = facadesOn(() => ({ milvus: { address } }));
  const open = facades.open;
  const args = (extra: string[]) => ['vectors', 'reembed', 'chunks', '--milvus', address, ...extra];
  const cli = (extra: string[]) => polystore(args(extra), { cwd: v2 });

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'polystore-milvus-reembed-'));
    server = acquireMilvusLite(join(dataDir, 'milvus.db'));
    address = await server.address;
    v1 = embeddingProject({ ...A, config });
    v2 = changedProject(v1, { ...B, config });
  }, 180_000);
  afterAll(async () => {
    await facades.closeAll();
    await server?.release();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('fills the second collection, cuts over with every record current, rolls back and finalizes', async () => {
    const old = await open(v1, hashedEmbedder(A.dimension, 'a'));
    const truth = new Map<string, string>();
    for (let start = 0; start < N; start += 500) {
      const records = Array.from({ length: 500 }, (_, k) => ({ id: `c${String(start + k).padStart(5, '0')}`, content: text(start + k, 0), rev: 0 }));
      await old.vectors.chunks.forTenant('t').insert(records);
      for (const record of records) truth.set(record.id, record.content);
    }
    const both = { 'hash-a': hashedEmbedder(A.dimension, 'a'), 'hash-b': hashedEmbedder(B.dimension, 'b') };
    const admin = await open(v2, both);
    await admin.migrate();
    expect((await admin.migrationStatus()).embeddings?.[0]).toMatchObject({ state: 'changing', active: 'hash-a' });
    expect(cli(['--cutover']).stderr).toMatch(new RegExp(`${N} of ${N} records have no vector of "hash-b"`));

    let writing = true;
    const store = admin.vectors.chunks.forTenant('t');
    const writer = (async () => {
      for (let n = 0; writing; n++) {
        const id = `c${String((n * 37) % N).padStart(5, '0')}`;
        if (n % 3 === 0) {
          await store.insert([{ id: `w${n}`, content: text(N + n, 1), rev: 1 }]);
          truth.set(`w${n}`, text(N + n, 1));
        } else if (n % 3 === 1) {
          await store.update(id, { content: text(n, 2) });
          truth.set(id, text(n, 2));
        } else if (truth.has(id)) {
          await store.delete({ ids: [id] });
          truth.delete(id);
        }
      }
    })();
    const filled = await polystoreAsync(args(['--batch', '200']), { cwd: v2 });
    writing = false;
    await writer;
    expect(filled.status, filled.stderr).toBe(0);
    const health = await admin.health();
    expect(health.stores.milvus.details.embeddings).toMatchObject({ chunks: { state: 'changing', active: 'hash-a', reembed: { model: 'hash-b', done: expect.any(Number), total: expect.any(Number) } } });
    const cut = cli(['--cutover']);
    expect(cut.status, cut.stderr).toBe(0);

    const reader = await open(v2, both);
    const records = await reader.vectors.chunks.forTenant('t').get([...truth.keys()]);
    const stale = records.filter((record) => record.embedding.some((x, i) => Math.abs(x - hashedEmbedding(truth.get(record.id)!, B.dimension, 'b')[i]) > 1e-6));
    expect({ stale: stale.length, missing: truth.size - records.length }).toEqual({ stale: 0, missing: 0 });
    expect(await reader.vectors.chunks.forTenant('t').count()).toBe(truth.size);

    expect(cli(['--rollback']).status).toBe(0);
    expect(cli(['--cutover']).status).toBe(0);
    const finalized = cli(['--finalize']);
    expect(finalized.status, finalized.stderr).toBe(0);
    expect(cli(['--rollback']).stderr).toMatch(/EMBEDDING_NO_PREVIOUS|no previous/);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const hits = await reader.vectors.chunks.forTenant('t').search({ query: text(5, 0), topK: 3, includeVector: true });
    expect(hits[0].record.embedding).toHaveLength(B.dimension);
  }, 600_000);
});
