import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireMilvusLite } from '../src/runtime/milvus/milvus-lite.js';
import { createPolystore } from './fixtures/runtime/generated/index.js';
import { ALL_ON_MILVUS } from './helpers/engines.js';
import { tcpProxy } from './helpers/tcp-proxy.js';
import { note } from './helpers/vectors.js';
import { PartialWriteError } from '../src/errors.js';

const bigPassage = (i: number, content: string) => ({ id: `p${i}`, bucket: i % 7, content: content.padEnd(4_000, '.'), embedding: Array.from({ length: 128 }, (_, j) => ((i + j) % 5) + 1) });


/** What only Milvus has: collections made on first use, live collections checked, servers that come and go. */
describe('Milvus backend on Milvus Lite', () => {
  let dir: string;
  let lite: ReturnType<typeof acquireMilvusLite>;
  let address: string;
  let sdk: MilvusClient;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'polystore-milvus-'));
    lite = acquireMilvusLite(path.join(dir, 'shared.db'));
    address = await lite.address;
    sdk = new MilvusClient({ address, logLevel: 'error' });
  }, 60_000);
  afterAll(async () => {
    await sdk.closeConnection();
    await lite.release();
    await rm(dir, { recursive: true, force: true });
  });
  const open = (milvus: object = {}) => createPolystore({ milvus: { address, ...milvus }, vectorBackends: ALL_ON_MILVUS });

  it('creates the collection, its indexes and loads it on first use; a second facade reuses it', async () => {
    const first = open();
    await first.vectors.notes.forTenant('a').insert([note('n1')]);
    await first.close();
    const described = await sdk.describeCollection({ collection_name: 'notes' });
    expect(described.schema.fields.map((field) => field.name)).toEqual(['pk', 'id', 'tenant_id', 'title', 'rank', 'weight', 'published', 'kind', 'created_at', 'meta', 'embedding']);
    // The primary key is the tenant and the id together.
    expect(described.schema.fields.find((field) => field.name === 'pk')?.is_primary_key).toBe(true);
    expect(described.schema.fields.find((field) => field.name === 'tenant_id')?.is_partition_key).toBe(true);
    const indexes = await sdk.describeIndex({ collection_name: 'notes' });
    expect(indexes.index_descriptions.map((index) => index.field_name).sort()).toEqual(['embedding', 'id', 'rank', 'title']);
    expect((await sdk.getLoadState({ collection_name: 'notes' })).state).toBe('LoadStateLoaded');

    const second = open();
    expect(await second.vectors.notes.forTenant('a').get(['n1'])).toHaveLength(1);
    await second.close();
  });

  it('refuses a live collection that no longer matches the schema, naming every difference', async () => {
    await sdk.createCollection({
      collection_name: 'exact',
      fields: [
        { name: 'id', data_type: DataType.VarChar, is_primary_key: true, max_length: 255 },
        { name: 'label', data_type: DataType.VarChar, max_length: 32 },
        { name: 'extra', data_type: DataType.Int64 },
        { name: 'embedding', data_type: DataType.FloatVector, dim: 3 },
      ],
      index_params: [{ field_name: 'embedding', index_type: 'FLAT', metric_type: 'L2' }],
    });
    const db = open();
    try {
      const error = await db.vectors.exact.count().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'SCHEMA_MISMATCH' });
      expect((error as Error).message).toContain('field "label": max_length 32, expected 64');
      expect((error as Error).message).toContain('field "embedding": dimension 3, expected 4');
      expect((error as Error).message).toContain('field "extra" is not in the schema');
      // Still refused on the next call: it is never used as it is.
      await expect(db.vectors.exact.search({ vector: [1, 0, 0, 0], topK: 1 })).rejects.toMatchObject({ code: 'SCHEMA_MISMATCH' });
    } finally {
      await db.close();
      await sdk.dropCollection({ collection_name: 'exact' });
    }
  });

  it('loads a collection released behind its back; a dropped one is COLLECTION_MISSING, and the next call creates it', async () => {
    const db = open();
    const notes = db.vectors.notes.forTenant('a');
    try {
      expect(await notes.count()).toBe(1);
      await sdk.releaseCollection({ collection_name: 'notes' });
      expect(await notes.count()).toBe(1);
      await sdk.dropCollection({ collection_name: 'notes' });
      await expect(notes.search({ vector: note('x').embedding, topK: 1 })).rejects.toMatchObject({ code: 'COLLECTION_MISSING' });
      expect(await notes.count()).toBe(0);
    } finally {
      await db.close();
    }
  });

  it('counts, lists and deletes past one query page (25,000 rows; Milvus returns at most 16,384 a query)', async () => {
    const db = open();
    try {
      const rows = Array.from({ length: 25_000 }, (_, i) => ({ id: `k${(i * 7919) % 25_000}`, label: i % 2 ? 'odd' : 'even', embedding: [i, 1, 0, 0] }));
      for (let start = 0; start < rows.length; start += 10_000) await db.vectors.exact.insert(rows.slice(start, start + 10_000));
      expect(await db.vectors.exact.count()).toBe(25_000);
      expect(await db.vectors.exact.delete({ where: { label: 'odd' } })).toBe(12_500);
      expect(await db.vectors.exact.count()).toBe(12_500);
      expect(await db.vectors.exact.delete({ all: true })).toBe(12_500);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('undoes a write whose second request fails: rows it added are deleted, rows it replaced are put back', async () => {
    const proxy = await tcpProxy(address);
    const db = createPolystore({ milvus: { address: proxy.address, attempts: 1 }, vectorBackends: ALL_ON_MILVUS });
    const passages = db.vectors.passages;
    try {
      await passages.upsert([bigPassage(0, 'original 0'), bigPassage(1, 'original 1')]);
      // 8,000 records of 4 KB: about 34 MB, three requests; the cut falls inside the second.
      const big = Array.from({ length: 8_000 }, (_, i) => bigPassage(i, `replaced ${i} `));
      proxy.cutAfter(20 * 2 ** 20);
      await expect(passages.upsert(big)).rejects.toMatchObject({ code: 'MILVUS_UNAVAILABLE' });
      expect(await passages.count()).toBe(2);
      expect((await passages.get(['p0', 'p1'])).map((row) => row.content)).toEqual([bigPassage(0, 'original 0').content, bigPassage(1, 'original 1').content]);
      proxy.cutAfter(20 * 2 ** 20);
      await expect(passages.insert(big.slice(2))).rejects.toMatchObject({ code: 'MILVUS_UNAVAILABLE' });
      expect(await passages.count()).toBe(2);
      await passages.delete({ all: true });
    } finally {
      await db.close();
      await proxy.close();
    }
  }, 120_000);

  it('a write cut midway while Milvus stays down is PARTIAL_WRITE naming the ids written; upserting the records again finishes it', async () => {
    const proxy = await tcpProxy(address);
    const db = createPolystore({ milvus: { address: proxy.address, attempts: 2, timeoutMs: 10_000 }, vectorBackends: ALL_ON_MILVUS });
    const passages = db.vectors.passages;
    try {
      await passages.count();
      const big = Array.from({ length: 8_000 }, (_, i) => bigPassage(i, `partial ${i} `));
      proxy.cutAfter(20 * 2 ** 20, { stayDown: true });
      const error = (await passages.insert(big).catch((e: unknown) => e)) as PartialWriteError;
      expect(error).toBeInstanceOf(PartialWriteError);
      expect(error).toMatchObject({ code: 'PARTIAL_WRITE', message: expect.stringContaining('upsert the same records again') });
      expect(error.written.length).toBeGreaterThan(0);
      expect(error.uncertain.length).toBeGreaterThan(0);
      proxy.state.down = false;
      // Once Milvus answers again (here through a new facade), what it said is written is there; a retry with
      // insert would refuse those ids, upsert finishes the call.
      const later = open();
      try {
        expect(await later.vectors.passages.count({ id: { in: [...error.written] } })).toBe(error.written.length);
        await expect(later.vectors.passages.insert(big)).rejects.toMatchObject({ code: 'DUPLICATE_ID' });
        await later.vectors.passages.upsert(big);
        expect(await later.vectors.passages.count()).toBe(8_000);
        await later.vectors.passages.delete({ all: true });
      } finally {
        await later.close();
      }
    } finally {
      await db.close();
      await proxy.close();
    }
  }, 180_000);

  it('two tenants upserting one new id at once never replace each other (the tenant is in the primary key)', async () => {
    const [a, b] = [open(), open()];
    try {
      for (let round = 0; round < 10; round++) {
        const id = `shared-${round}`;
        const results = await Promise.allSettled([
          a.vectors.notes.forTenant('tenant-a').upsert([{ ...note(id), title: 'from a' }]),
          b.vectors.notes.forTenant('tenant-b').upsert([{ ...note(id), title: 'from b' }]),
        ]);
        for (const result of results) if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'ID_CONFLICT' });
        // Each tenant whose upsert succeeded still has its own record; no record changed tenant or content.
        for (const [tenant, result] of [['tenant-a', results[0]], ['tenant-b', results[1]]] as const) {
          const records = await a.vectors.notes.forTenant(tenant).get([id]);
          expect(records.map((record) => record.title)).toEqual(result.status === 'fulfilled' ? [`from ${tenant.slice(-1)}`] : []);
        }
      }
      // Once one tenant holds an id, the other's upsert is refused.
      await expect(a.vectors.notes.forTenant('tenant-c').upsert([note('shared-0')])).rejects.toMatchObject({ code: 'ID_CONFLICT' });
    } finally {
      await a.close();
      await b.close();
    }
  }, 120_000);

  it('writes of one record in one process take turns: concurrent updates of different fields all survive, none resurrects or goes stale', async () => {
    const db = open();
    const notes = db.vectors.notes.forTenant('races');
    try {
      for (let round = 0; round < 10; round++) {
        const id = `race-${round}`;
        await notes.upsert([note(id)]);
        await Promise.all([notes.update(id, { title: 'new title' }), notes.update(id, { rank: 42 }), notes.update(id, { weight: 0.25 })]);
        expect(await notes.get([id])).toMatchObject([{ title: 'new title', rank: 42, weight: 0.25 }]);
        // Either order is a correct one: the update then the delete, or the delete then an update that finds nothing.
        const [updated, deleted] = await Promise.allSettled([notes.update(id, { title: 'updated' }), notes.delete({ ids: [id] })]);
        expect(deleted).toEqual({ status: 'fulfilled', value: 1 });
        if (updated.status === 'rejected') expect(updated.reason).toMatchObject({ code: 'NOT_FOUND' });
        expect(await notes.get([id])).toEqual([]);
        await notes.upsert([note(id)]);
        // The upsert's values survive whichever goes first; the update's title too when it goes second.
        await Promise.all([notes.update(id, { title: 'updated' }), notes.upsert([note(id, { title: 'upserted', rank: 7 })])]);
        const [after] = await notes.get([id]);
        expect(after.rank).toBe(7);
        expect(['updated', 'upserted']).toContain(after.title);
      }
    } finally {
      await db.close();
    }
  }, 120_000);

  it('an unreachable server is a typed MILVUS_UNAVAILABLE, after retries, and nothing crashes the process', async () => {
    const db = createPolystore({ milvus: { address: '127.0.0.1:9', timeoutMs: 2_000, attempts: 2 }, vectorBackends: ALL_ON_MILVUS });
    try {
      await expect(db.vectors.exact.count()).rejects.toMatchObject({ code: 'MILVUS_UNAVAILABLE', message: expect.stringContaining('127.0.0.1:9') });
    } finally {
      await db.close();
    }
  });

  it('retries through a server restart with backoff', async () => {
    const data = path.join(dir, 'restart.db');
    const port = 19_000 + Math.floor(Math.random() * 500);
    const start = () => spawn(process.env.POLYSTORE_PYTHON ?? 'python3', ['-m', 'milvus_lite', 'server', '--data-dir', data, '--host', '127.0.0.1', '--port', String(port)], { stdio: 'pipe' });
    const listening = (child: ReturnType<typeof start>) => new Promise((resolve) => child.stdout.on('data', (chunk: Buffer) => /listening on/.test(String(chunk)) && resolve(undefined)));
    let server = start();
    await listening(server);
    const db = createPolystore({ milvus: { address: `127.0.0.1:${port}`, attempts: 8 }, vectorBackends: ALL_ON_MILVUS });
    try {
      await db.vectors.exact.insert([{ id: 'e1', label: 'x', embedding: [1, 0, 0, 0] }]);
      await new Promise((resolve) => {
        server.once('exit', resolve);
        server.kill('SIGKILL');
      });
      // The call starts while the server is down; the server is back 1.5 s later.
      const counted = db.vectors.exact.count();
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      server = start();
      await listening(server);
      expect(await counted).toBe(1);
    } finally {
      await db.close();
      server.kill('SIGKILL');
    }
  }, 60_000);

  it('says how to install Milvus Lite when it cannot start', async () => {
    const previous = process.env.POLYSTORE_PYTHON;
    process.env.POLYSTORE_PYTHON = path.join(dir, 'no-such-python');
    const db = createPolystore({ milvus: { address: path.join(dir, 'never.db') }, vectorBackends: ALL_ON_MILVUS });
    try {
      await expect(db.vectors.exact.count()).rejects.toMatchObject({ code: 'MILVUS_LITE_FAILED', message: expect.stringContaining('pip install -r scripts/requirements-milvus.txt') });
    } finally {
      if (previous === undefined) delete process.env.POLYSTORE_PYTHON;
      else process.env.POLYSTORE_PYTHON = previous;
      await db.close();
    }
  });
});
