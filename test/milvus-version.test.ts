// A real Milvus 2.3 server (PyPI's milvus==2.3.5, `milvus-server`): too old for nullable fields, BM25 functions and INVERTED indexes.
// .ci/run installs it (scripts/requirements-milvus23.txt) and names it in POLYSTORE_MILVUS23_SERVER; elsewhere skipped.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolystore } from './fixtures/runtime/generated/index.js';
import { ALL_ON_MILVUS } from './helpers/engines.js';
import { pidsWithArgument, within } from './helpers/processes.js';

const binary = process.env.POLYSTORE_MILVUS23_SERVER;
if (!binary && process.env.CI) throw new Error('CI runs the Milvus 2.3 suite: set POLYSTORE_MILVUS23_SERVER (.ci/run installs it)');

const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => resolve(true)).once('error', () => resolve(false));
    socket.once('close', () => socket.destroy());
    setTimeout(() => socket.end(), 100);
  });

describe.skipIf(!binary)('on a Milvus 2.3 server', () => {
  let dir: string;
  let server: ChildProcess;
  const port = 19_600 + (process.pid % 200);
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'polystore-milvus23-'));
    // Its embedded etcd takes fixed ports (2379, 2380): one such server on the machine at a time.
    server = spawn(binary!, ['--data', dir, '--proxy-port', String(port)], { stdio: 'ignore' });
    // The proxy answers a few seconds after start.
    for (let tries = 0; !(await listening(port)); tries++) {
      if (tries > 120 || server.exitCode !== null) throw new Error(`milvus-server did not listen on ${port}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }, 120_000);
  afterAll(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    // milvus-server runs `<data>/bin/milvus run standalone`, which outlives it: stopped by its PID.
    for (const pid of pidsWithArgument(dir)) process.kill(pid, 'SIGKILL');
    await within(10_000, () => pidsWithArgument(dir).length === 0);
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a spec the server cannot hold, naming its version and what needs more, and creates nothing', async () => {
    const db = createPolystore({ milvus: { address: `127.0.0.1:${port}` }, vectorBackends: ALL_ON_MILVUS });
    try {
      const error = await db.vectors.notes.forTenant('t').count().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'MILVUS_VERSION_UNSUPPORTED' });
      const sdk = new MilvusClient({ address: `127.0.0.1:${port}`, logLevel: 'error' });
      expect((await sdk.hasCollection({ collection_name: 'notes' })).value).toBe(false);
      await sdk.closeConnection();
      expect((error as Error).message).toMatch(/^Milvus v2\.3\.\d+\S* cannot hold collection "notes": nullable fields .* need Milvus 2\.5; INVERTED scalar indexes .* need Milvus 2\.4/);
    } finally {
      await db.close();
    }
  });

  it('refuses a keyword-search collection by version: BM25 functions need Milvus 2.5', async () => {
    const db = createPolystore({ milvus: { address: `127.0.0.1:${port}` }, vectorBackends: { chunks: 'milvus' } });
    try {
      const error = await db.vectors.chunks.forTenant('t').search({ text: 'river', topK: 1 }).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'MILVUS_VERSION_UNSUPPORTED' });
      expect((error as Error).message).toMatch(/^Milvus v2\.3\.\d+\S* cannot hold collection "chunks": BM25 functions \(keyword search: the schema’s fullText\) need Milvus 2\.5; INVERTED/);
    } finally {
      await db.close();
    }
  });

  it('runs a collection it can hold, with no filter sent as an empty expression', async () => {
    const db = createPolystore({ milvus: { address: `127.0.0.1:${port}` }, vectorBackends: ALL_ON_MILVUS });
    try {
      const exact = db.vectors.exact;
      await exact.insert([{ id: 'a', label: 'x', embedding: [1, 0, 0, 0] }, { id: 'b', label: 'y', embedding: [0, 1, 0, 0] }]);
      expect(await exact.count()).toBe(2);
      expect((await exact.search({ vector: [1, 0, 0, 0], topK: 1 })).map((hit) => hit.id)).toEqual(['a']);
      expect(await exact.delete({ all: true })).toBe(2);
      expect(await exact.count()).toBe(0);
    } finally {
      await db.close();
    }
  });
});
