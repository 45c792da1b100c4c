import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { spawn } from 'node:child_process';
import { createServer, type Socket, connect as connectTcp } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireMilvusLite } from '../src/runtime/milvus/milvus-lite.js';
import { createPolystore, type NotesRecord } from './fixtures/runtime/generated/index.js';
import { ALL_ON_MILVUS } from './helpers/engines.js';

const note = (id: string): Omit<NotesRecord, 'tenantId'> => ({
  id,
  title: id,
  rank: 1,
  published: true,
  kind: 'memo',
  createdAt: new Date(0),
  embedding: [1, 0, 0, 0, 0, 0, 0, 0],
});

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
    expect(described.schema.fields.map((field) => field.name)).toEqual(['id', 'tenant_id', 'title', 'rank', 'weight', 'published', 'kind', 'created_at', 'meta', 'embedding']);
    expect(described.schema.fields.find((field) => field.name === 'tenant_id')?.is_partition_key).toBe(true);
    const indexes = await sdk.describeIndex({ collection_name: 'notes' });
    expect(indexes.index_descriptions.map((index) => index.field_name).sort()).toEqual(['embedding', 'rank', 'title']);
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
      expect(await db.vectors.exact.delete({ where: { id: { notIn: [] } } })).toBe(12_500);
    } finally {
      await db.close();
    }
  }, 120_000);

  it('undoes a write whose second request fails: rows it added are deleted, rows it replaced are put back', async () => {
    // A TCP proxy that, once armed, cuts the connection after 20 MB more: inside the call's second 16 MB request.
    let armedAt: number | undefined;
    let sent = 0;
    const sockets = new Set<Socket>();
    const [host, port] = address.split(':');
    const proxy = createServer((client) => {
      const server = connectTcp(Number(port), host);
      sockets.add(client).add(server);
      client.on('data', (chunk: Buffer) => {
        sent += chunk.length;
        if (armedAt !== undefined && sent - armedAt > 20 * 2 ** 20) {
          armedAt = undefined;
          client.destroy();
          server.destroy();
          return;
        }
        server.write(chunk);
      });
      server.on('data', (chunk: Buffer) => client.write(chunk));
      for (const [a, b] of [[client, server], [server, client]]) a.on('error', () => b.destroy()).on('close', () => b.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const db = createPolystore({ milvus: { address: `127.0.0.1:${(proxy.address() as { port: number }).port}`, attempts: 1 }, vectorBackends: ALL_ON_MILVUS });
    const passages = db.vectors.passages;
    const record = (i: number, content: string) => ({ id: `p${i}`, bucket: i % 7, content, embedding: Array.from({ length: 128 }, (_, j) => (i + j) % 5) });
    try {
      await passages.upsert([record(0, 'original 0'), record(1, 'original 1')]);
      // 8,000 records of 4 KB: about 34 MB, three requests.
      const big = Array.from({ length: 8_000 }, (_, i) => record(i, `replaced ${i} `.padEnd(4_000, '.')));
      armedAt = sent;
      await expect(passages.upsert(big)).rejects.toMatchObject({ code: 'MILVUS_UNAVAILABLE' });
      expect(await passages.count()).toBe(2);
      expect((await passages.get(['p0', 'p1'])).map((row) => row.content)).toEqual(['original 0', 'original 1']);
      armedAt = sent;
      await expect(passages.insert(big.slice(2))).rejects.toMatchObject({ code: 'MILVUS_UNAVAILABLE' });
      expect(await passages.count()).toBe(2);
    } finally {
      await db.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
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
