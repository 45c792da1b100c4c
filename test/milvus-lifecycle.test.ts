import { MilvusClient } from '@zilliz/milvus2-sdk-node';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireMilvusLite } from '../src/runtime/milvus/milvus-lite.js';
import { createPolystore } from './fixtures/runtime/generated/index.js';
import { ALL_ON_MILVUS } from './helpers/engines.js';
import { isAlive, milvusChild, pidsWithArgument, within } from './helpers/processes.js';

const passage = (id: string) => ({ id, bucket: 1, content: id, embedding: Array.from({ length: 128 }, (_, i) => (i % 3) + 1) });
// Milvus only: a server URL that is never dialled keeps each facade from starting an embedded PGlite.
const options = (address: string) => ({ postgres: 'postgres://127.0.0.1:9/unused', milvus: { address }, vectorBackends: ALL_ON_MILVUS });

/** Milvus Lite across processes: collections ensured by several at once, servers that die with their owner or under it. */
describe('Milvus Lite lifecycle', () => {
  let dir: string;
  /** The Milvus Lite server of a data directory, by its command line. */
  const serverOf = (dataDir: string) => {
    const pids = pidsWithArgument(dataDir);
    expect(pids).toHaveLength(1);
    return pids[0]!;
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'polystore-lifecycle-'));
  });
  afterAll(async () => {
    // Whatever a failed test left running on this directory: servers, the lock holder.
    for (const pid of pidsWithArgument(dir)) process.kill(pid, 'SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('four processes ensuring one new collection at once all end with it', async () => {
    const lite = acquireMilvusLite(path.join(dir, 'shared.db'));
    const address = await lite.address;
    const sdk = new MilvusClient({ address, logLevel: 'error' });
    const children = [1, 2, 3, 4].map((i) => milvusChild([JSON.stringify(options(address)), `p${i}`]));
    try {
      await Promise.all(children.map((child) => child.next()));
      // Three rounds, each on a new collection: the processes race differently each time.
      for (let round = 0; round < 3; round++) {
        await sdk.dropCollection({ collection_name: 'passages' });
        for (const { child } of children) child.stdin.write('go\n');
        const outcomes = await Promise.all(children.map(async (child) => JSON.parse(await child.next())));
        expect(outcomes).toEqual(children.map(() => ({ ok: true })));
        const indexes = await sdk.describeIndex({ collection_name: 'passages' });
        expect(indexes.index_descriptions.map((index) => index.field_name).sort()).toEqual(['bucket', 'embedding']);
        const db = createPolystore(options(address));
        expect(await db.vectors.passages.count()).toBe(4);
        await db.close();
      }
    } finally {
      children.forEach(({ child }) => child.kill());
      await sdk.closeConnection();
      await lite.release();
    }
  }, 120_000);

  it('the Milvus Lite server of a process killed with SIGKILL exits with it; a new facade on the .db starts another', async () => {
    const dataDir = path.join(dir, 'orphan.db');
    const owner = milvusChild([JSON.stringify(options(dataDir)), 'o1', '--stay']);
    try {
      await owner.next();
      owner.child.stdin.write('go\n');
      expect(JSON.parse(await owner.next())).toEqual({ ok: true });
      const server = serverOf(dataDir);
      owner.child.kill('SIGKILL');
      expect(await within(5_000, () => !isAlive(server))).toBe(true);
    } finally {
      owner.child.kill('SIGKILL');
    }
    const db = createPolystore(options(dataDir));
    try {
      expect((await db.vectors.passages.get(['o1'])).map((record) => record.id)).toEqual(['o1']);
    } finally {
      await db.close();
    }
  }, 60_000);

  it('a Milvus Lite server killed under a live facade is started again by its next call, with the data written before', async () => {
    const dataDir = path.join(dir, 'restart.db');
    const db = createPolystore(options(dataDir));
    try {
      await db.vectors.passages.upsert([passage('r1')]);
      // A call on its way when the server dies fails, saying so.
      process.kill(serverOf(dataDir), 'SIGKILL');
      await expect(db.vectors.passages.count()).rejects.toMatchObject({ code: 'MILVUS_UNAVAILABLE', message: expect.stringContaining('exited (signal SIGKILL); the next call starts it again') });
      // A new facade does not get the dead server.
      const other = createPolystore(options(dataDir));
      try {
        expect(await other.vectors.passages.count()).toBe(1);
      } finally {
        await other.close();
      }
      // The facade's next call starts the server again, on the data written before.
      expect((await db.vectors.passages.get(['r1'])).map((record) => record.id)).toEqual(['r1']);
      await db.vectors.passages.upsert([passage('r2')]);
      expect(await db.vectors.passages.count()).toBe(2);
    } finally {
      await db.close();
    }
  }, 60_000);

  it('a data directory locked by another process is MILVUS_LITE_FAILED naming the lock file and its holder, not an install hint', async () => {
    const dataDir = path.join(dir, 'locked.db');
    const lock = path.join(dataDir, 'LOCK');
    const script = 'import fcntl, os, sys, time\nos.makedirs(os.path.dirname(sys.argv[1]), exist_ok=True)\nfcntl.flock(os.open(sys.argv[1], os.O_CREAT | os.O_RDWR), fcntl.LOCK_EX)\nprint("locked", flush=True)\ntime.sleep(600)';
    const holder = spawn(process.env.POLYSTORE_PYTHON ?? 'python3', ['-c', script, lock]);
    await new Promise((resolve) => holder.stdout.once('data', resolve));
    const db = createPolystore(options(dataDir));
    try {
      const error = (await db.vectors.passages.count().catch((e: unknown) => e)) as Error;
      expect(error).toMatchObject({ code: 'MILVUS_LITE_FAILED', message: expect.stringContaining(`${lock} is held by process ${holder.pid}`) });
      expect(error.message).not.toContain('pip install');
      // Once the lock is free, the next call starts the server.
      holder.kill('SIGKILL');
      await new Promise((resolve) => holder.once('exit', resolve));
      await db.vectors.passages.upsert([passage('l1')]);
      expect(await db.vectors.passages.count()).toBe(1);
    } finally {
      await db.close();
    }
  }, 60_000);
});
