// Read replicas, on the native server and a hot standby streaming from it (`scripts/pgvector-server.sh replica`;
// .ci/run exports POLYSTORE_TEST_REPLICA_URL). With the standby's WAL replay paused, a write on the primary is
// missing on the standby: what a read returns then tells which server answered it.
import { execFile, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fixtureSchema from './fixtures/runtime/drizzle/schema.js';
import { createPolystore, exactCollection, type Polystore } from './fixtures/runtime/generated/index.js';
import { serverDatabase, serverUrl } from './helpers/engines.js';
import { redisClient, redisUrl } from './helpers/redis.js';
import { tcpProxy } from './helpers/tcp-proxy.js';
import { note } from './helpers/vectors.js';
import { generationKey } from '../src/cache/cache-keys.js';
import { InvalidInputError } from '../src/errors.js';
import { createRuntime } from '../src/facade/create-runtime.js';
import { openConnection } from '../src/runtime/postgres/open-connection.js';

const run = promisify(execFile);
const replicaUrl = process.env.POLYSTORE_TEST_REPLICA_URL;
if (!replicaUrl && process.env.CI) throw new Error('CI runs the read-replica suite: set POLYSTORE_TEST_REPLICA_URL (.ci/run starts the standby)');

/** Nothing listens on the discard port. */
const NOWHERE = 'postgres://postgres@127.0.0.1:9/none';
const record = (id: string) => ({ id, label: id, embedding: [1, 0, 0, 0] });

describe('createPolystore options and call options for replicas', () => {
  it('refuses a replica that is not a postgres:// URL, naming its index, a negative readYourWritesMs and a replicaTimeoutMs below 1', () => {
    const issuesOf = (postgres: unknown) => {
      try {
        createPolystore({ postgres: postgres as never });
        return [];
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
        return (error as InvalidInputError).issues;
      }
    };
    expect(issuesOf({ url: NOWHERE, replicas: [NOWHERE, 'mysql://x', ''], readYourWritesMs: -1, replicaTimeoutMs: 0 })).toEqual([
      { code: 'INVALID_OPTION', path: ['postgres', 'replicas', 1], message: 'expected a postgres:// URL, got "mysql://x"' },
      { code: 'INVALID_OPTION', path: ['postgres', 'replicas', 2], message: 'expected a postgres:// URL, got ""' },
      { code: 'INVALID_OPTION', path: ['postgres', 'readYourWritesMs'], message: 'expected a number of at least 0, got -1' },
      { code: 'INVALID_OPTION', path: ['postgres', 'replicaTimeoutMs'], message: 'expected a number from 1 to 2147483647, got 0' },
    ]);
    // Node's timers hold 2³¹−1 ms: beyond, a deadline of 1 ms would send every read to the primary.
    expect(issuesOf({ url: NOWHERE, replicaTimeoutMs: 2 ** 31 })).toEqual([{ code: 'INVALID_OPTION', path: ['postgres', 'replicaTimeoutMs'], message: 'expected a number from 1 to 2147483647, got 2147483648' }]);
    expect(issuesOf({ url: NOWHERE, replicas: NOWHERE })).toEqual([{ code: 'INVALID_OPTION', path: ['postgres', 'replicas'], message: `expected an array, got "${NOWHERE}"` }]);
  });

  it('refuses an unknown consistency before sending anything', async () => {
    const db = createPolystore({ postgres: NOWHERE });
    try {
      await expect(db.vectors.exact.count(undefined, { consistency: 'nearest' as never })).rejects.toMatchObject({ code: 'INVALID_OPTION', issues: [{ path: ['options', 'consistency'] }] });
      await expect(db.vectors.exact.get(['a'], { stale: true } as never)).rejects.toMatchObject({ code: 'INVALID_OPTION', issues: [{ path: ['options', 'stale'] }] });
      await expect(db.vectors.exact.search({ vector: [1, 0, 0, 0], topK: 1, consistency: 'any' as never })).rejects.toMatchObject({ code: 'INVALID_QUERY', issues: [{ path: ['consistency'] }] });
    } finally {
      await db.close();
    }
  });
});

describe.skipIf(!serverUrl || !replicaUrl)('read replicas: a hot standby of the native server', () => {
  let database: Awaited<ReturnType<typeof serverDatabase>>;
  /** The test database on the standby. */
  let standbyUrl: string;
  /** The standby's `postgres` database, where this suite pauses and resumes its replay. */
  let standby: postgres.Sql;
  let primary: postgres.Sql;
  /** Writes through the primary alone. */
  let writer: Polystore;
  const opened: Array<{ close(): Promise<unknown> }> = [];
  const open = (options: { replicas: string[]; readYourWritesMs?: number }) => {
    const db = createPolystore({ postgres: { url: database.url, max: 2, connectTimeoutSeconds: 2, ...options } });
    opened.push(db);
    return db;
  };

  /** Waits until the standby has replayed everything the primary has written so far. */
  async function caughtUp() {
    const [{ lsn }] = await primary<{ lsn: string }[]>`select pg_current_wal_lsn()::text as lsn`;
    for (let tries = 0; tries < 200; tries++) {
      const [{ done }] = await standby<{ done: boolean }[]>`select pg_last_wal_replay_lsn() >= ${lsn}::pg_lsn as done`;
      if (done) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the standby did not replay up to ${lsn}`);
  }
  /** The test database on the standby, through a TCP proxy that cuts or freezes its connections. */
  const standbyProxy = async () => {
    const proxy = await tcpProxy(new URL(replicaUrl!).host);
    const viaProxy = new URL(standbyUrl);
    viaProxy.host = proxy.address;
    return { proxy, viaProxy: viaProxy.href };
  };
  const pauseReplay = () => standby`select pg_wal_replay_pause()`;
  const resumeReplay = () => standby`select pg_wal_replay_resume()`;

  beforeAll(async () => {
    database = await serverDatabase(serverUrl!);
    const target = new URL(replicaUrl!);
    target.pathname = new URL(database.url).pathname;
    standbyUrl = target.href;
    standby = postgres(replicaUrl!, { max: 1, onnotice: () => {} });
    primary = postgres(database.url, { max: 1, onnotice: () => {} });
    // Migrations through a facade with a replica: the standby would refuse them.
    await open({ replicas: [standbyUrl] }).migrate();
    writer = createPolystore({ postgres: { url: database.url, max: 2 } });
    await writer.vectors.exact.insert([record('e1')]);
    await caughtUp();
  });
  afterAll(async () => {
    await standby?.unsafe('select pg_wal_replay_resume()').catch(() => undefined);
    await Promise.all(opened.map((db) => db.close()));
    await writer?.close();
    await primary?.end();
    await standby?.end();
    await database?.drop();
  });

  it('reads go to the standby, in read-only transactions; execute and db.sql to the primary', async () => {
    const connection = openConnection({}, { postgres: { url: database.url, replicas: [standbyUrl] } }, (query) => query());
    opened.push(connection);
    const inRecovery = { sql: 'select pg_is_in_recovery()', params: [] };
    const readOnly = { sql: "select current_setting('transaction_read_only')", params: [] };
    expect(await connection.read([inRecovery])).toEqual([[[true]]]);
    expect(await connection.read([inRecovery, readOnly])).toEqual([[[true]], [['on']]]);
    expect(await connection.read([inRecovery, readOnly], { consistency: 'primary' })).toEqual([[[false]], [['on']]]);
    expect(await connection.execute([inRecovery])).toEqual([[[false]]]);
    expect(await connection.replicas[0].execute([inRecovery])).toEqual([[[true]]]);
    const db = open({ replicas: [standbyUrl] });
    const rows = (await db.sql.execute('select pg_is_in_recovery() as standby')) as unknown as Array<{ standby: boolean }>;
    expect([...rows]).toEqual([{ standby: false }]);
  });

  it('searches, gets and counts read the standby; consistency: "primary" reads the latest writes; every write succeeds', async () => {
    const db = open({ replicas: [standbyUrl] });
    await pauseReplay();
    try {
      // Writes of every kind through the facade with a replica: a standby would refuse each one ("cannot execute
      // INSERT in a read-only transaction"), so they all went to the primary.
      await db.vectors.exact.insert([record('r1'), record('r2')]);
      await db.vectors.exact.upsert([record('r2'), record('r3')]);
      await db.vectors.exact.update('r3', { label: 'changed' });
      expect(await db.vectors.exact.delete({ ids: ['r2'] })).toBe(1);
      // 300 rows go over COPY: straight into the table, and through a temporary table for an upsert.
      const bulk = Array.from({ length: 300 }, (_, i) => ({ id: `bulk-${i}`, label: 'bulk', embedding: Array.from({ length: 16 }, (_, j) => (j === i % 16 ? 1 : 0)) }));
      await db.vectors.exactl2.insert(bulk);
      await db.vectors.exactl2.upsert(bulk);
      expect(await db.vectors.exactl2.count(undefined, { consistency: 'primary' })).toBe(300);
      const query = { vector: [1, 0, 0, 0], topK: 10 };
      expect(await db.vectors.exact.count()).toBe(1);
      expect((await db.vectors.exact.search(query)).map((hit) => hit.id)).toEqual(['e1']);
      expect(await db.vectors.exact.get(['e1', 'r1', 'r3'])).toEqual([record('e1')]);
      expect(await db.vectors.exact.count(undefined, { consistency: 'primary' })).toBe(3);
      expect((await db.vectors.exact.search({ ...query, consistency: 'primary' })).map((hit) => hit.id).sort()).toEqual(['e1', 'r1', 'r3']);
      expect(await db.vectors.exact.get(['r3'], { consistency: 'primary' })).toEqual([{ ...record('r3'), label: 'changed' }]);
    } finally {
      await resumeReplay();
    }
    await caughtUp();
    expect(await db.vectors.exact.count()).toBe(3);
  });

  it('readYourWritesMs: a tenant reads its own writes on the primary for the window, other tenants and processes on the standby', async () => {
    const db = open({ replicas: [standbyUrl], readYourWritesMs: 2_000 });
    await pauseReplay();
    try {
      // Tenant b writes through another facade (another process, as far as windows go): none opens here.
      await writer.vectors.notes.forTenant('b').insert([note('b1')]);
      await db.vectors.notes.forTenant('a').insert([note('a1')]);
      const wroteAt = performance.now();
      expect(await db.vectors.notes.forTenant('a').count()).toBe(1);
      expect(await db.vectors.notes.forTenant('a').get(['a1'])).toHaveLength(1);
      expect(await db.vectors.notes.forTenant('a').search({ vector: note('a1').embedding, topK: 1 })).toHaveLength(1);
      // A read that names its consistency keeps it.
      expect(await db.vectors.notes.forTenant('a').count(undefined, { consistency: 'replica' })).toBe(0);
      expect(await db.vectors.notes.forTenant('b').count()).toBe(0);
      expect(performance.now() - wroteAt).toBeLessThan(2_000);
      await new Promise((resolve) => setTimeout(resolve, 2_100 - (performance.now() - wroteAt)));
      expect(await db.vectors.notes.forTenant('a').count()).toBe(0);
    } finally {
      await resumeReplay();
    }
  });

  it.skipIf(!redisUrl)('a shared cache keeps readYourWritesMs: a read in the window is not answered by an entry a lagging replica gave another process, nor is that entry kept', async () => {
    const cache = { redis: redisUrl!, namespace: `replica${randomUUID()}`, timeoutMs: 2_000 };
    // A window long enough for the other process's start-up (seconds on a loaded machine).
    const writerOptions = { postgres: { url: database.url, replicas: [standbyUrl], readYourWritesMs: 30_000 }, cache };
    const a = createPolystore(writerOptions);
    opened.push(a);
    /** What another OS process with no window of its own reads through the replica and the shared cache. */
    const readElsewhere = async () => (await run(process.execPath, ['--import', 'tsx', new URL('./helpers/cache-child.ts', import.meta.url).pathname, JSON.stringify({ ...writerOptions, postgres: { url: database.url, replicas: [standbyUrl] } }), 'read'])).stdout.trim();
    const notes = a.vectors.notes.forTenant('t1');
    await notes.insert([note('a', { title: 'v1' })]);
    await caughtUp();
    expect(await readElsewhere()).toBe('v1');
    await pauseReplay();
    try {
      await notes.update('a', { title: 'v2' });
      // The other process reads the lagging replica: the old title, as it would without a cache.
      expect(await readElsewhere()).toBe('v1');
      // In its window, the writer reads its write on the primary, not the other process's answer from the cache.
      expect((await notes.get(['a']))[0].title).toBe('v2');
    } finally {
      await resumeReplay();
    }
    await caughtUp();
    // Once the replica has the write, nobody is answered the old title from the cache: another process, nor a
    // facade here without a window.
    expect(await readElsewhere()).toBe('v2');
    const reader = createPolystore({ ...writerOptions, postgres: { url: database.url, replicas: [standbyUrl] } });
    opened.push(reader);
    expect((await reader.vectors.notes.forTenant('t1').get(['a']))[0].title).toBe('v2');
    expect((await notes.get(['a']))[0].title).toBe('v2');
  });

  it.skipIf(!redisUrl)('a shared cache judges a generation by when this process first saw it: whatever value another writer left under its key, a lagging answer is not kept, and the cache still answers once it settles', async () => {
    const namespace = `replica${randomUUID()}`;
    const cache = { redis: redisUrl!, namespace, timeoutMs: 2_000 };
    const writer = createPolystore({ postgres: { url: database.url }, cache });
    const reader = createPolystore({ postgres: { url: database.url, replicas: [standbyUrl] }, cache });
    opened.push(writer, reader);
    const redis = await redisClient(redisUrl!);
    const title = async () => (await reader.vectors.notes.forTenant('t2').get(['g']))[0]?.title;
    try {
      await writer.vectors.notes.forTenant('t2').insert([note('g', { title: 'v1' })]);
      await caughtUp();
      // The generations of the whole cache and of the collection, seen long enough ago.
      expect(await title()).toBe('v1');
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      // Values no time can be read from: an older polystore's bare token, and text of another program's.
      for (const value of [randomUUID(), 'zzzzzzzzzzz.not-a-time']) {
        await pauseReplay();
        try {
          await writer.vectors.notes.forTenant('t2').update('g', { title: value });
          await redis.set(generationKey(namespace, 'notes', 't2'), JSON.stringify({ value }));
          expect(await title()).not.toBe(value);
        } finally {
          await resumeReplay();
        }
        await caughtUp();
        expect(await title()).toBe(value);
        await new Promise((resolve) => setTimeout(resolve, 1_100));
        const { hits } = reader.cache.stats();
        expect(await title()).toBe(value);
        expect(await title()).toBe(value);
        expect(reader.cache.stats().hits).toBe(hits + 1);
      }
    } finally {
      await redis.close();
    }
  });

  it('polystore vectors copy reads the primary: it counts and compares what it has just written', async () => {
    const runtime = createRuntime(fixtureSchema, pathToFileURL(path.resolve('test/fixtures/runtime/generated/index.ts')).href, [exactCollection], {
      postgres: { url: database.url, replicas: [standbyUrl] },
    });
    opened.push(runtime);
    await caughtUp();
    const before = await runtime.vectorStore(exactCollection).count();
    await pauseReplay();
    try {
      const copyTarget = runtime.backendStore(exactCollection, 'pgvector');
      await copyTarget.upsert([record('c1')]);
      expect(await copyTarget.count()).toBe(before + 1);
      expect(await copyTarget.get(['c1'])).toEqual([record('c1')]);
      expect(await runtime.vectorStore(exactCollection).count()).toBe(before);
    } finally {
      await resumeReplay();
    }
  });

  it('a standby that stops answering is left out: reads go to the other replicas, or with none left to the primary; back after the cool-down', async () => {
    const { proxy, viaProxy } = await standbyProxy();
    const db = open({ replicas: [viaProxy] });
    const spread = open({ replicas: [NOWHERE, standbyUrl, NOWHERE] });
    await caughtUp();
    const before = await writer.vectors.exact.count();
    await pauseReplay();
    try {
      await writer.vectors.exact.insert([record('f1')]);
      expect(await db.vectors.exact.count()).toBe(before);
      // The pool's connection is cut under the next read, and new ones refused.
      proxy.cutAfter(0, { stayDown: true });
      expect(await db.vectors.exact.count()).toBe(before + 1);
      expect(await db.vectors.exact.count()).toBe(before + 1);
      // A pool's first connection, which the proxy accepts and closes at once (as a load balancer with no server).
      expect(await open({ replicas: [viaProxy] }).vectors.exact.count()).toBe(before + 1);
      // Whatever replica each read starts at, the one that answers is the standby.
      for (let i = 0; i < 6; i++) expect(await spread.vectors.exact.count()).toBe(before);
      proxy.state.down = false;
      await new Promise((resolve) => setTimeout(resolve, 5_100));
      expect(await db.vectors.exact.count()).toBe(before);
    } finally {
      await resumeReplay();
      await proxy.close();
    }
  });

  it('a standby that holds its connections open and never answers is given up after replicaTimeoutMs: the read runs on the primary', async () => {
    const { proxy, viaProxy } = await standbyProxy();
    const db = createPolystore({ postgres: { url: database.url, max: 2, replicas: [viaProxy], replicaTimeoutMs: 1_000 } });
    await caughtUp();
    const before = await writer.vectors.exact.count();
    await pauseReplay();
    try {
      await writer.vectors.exact.insert([record('z1')]);
      expect(await db.vectors.exact.count()).toBe(before);
      proxy.freeze();
      const started = performance.now();
      expect(await db.vectors.exact.count()).toBe(before + 1);
      expect(performance.now() - started).toBeLessThan(4_000);
      // Left out for the cool-down: the next reads go straight to the primary.
      expect(await db.vectors.exact.get(['z1'])).toEqual([record('z1')]);
      expect(performance.now() - started).toBeLessThan(4_000);
    } finally {
      proxy.thaw();
      await resumeReplay();
      await db.close();
      await proxy.close();
    }
  });

  it('db.health() reports each replica: a standby up with its lag, one that does not answer down, naming its option', async () => {
    const db = open({ replicas: [standbyUrl, NOWHERE] });
    await db.vectors.exact.count();
    const report = await db.health({ timeoutMs: 5_000 });
    expect(report).toMatchObject({
      status: 'down',
      stores: {
        postgres: { status: 'up' },
        'postgres-replica-0': { status: 'up', details: { inRecovery: true, replayLagSeconds: expect.any(Number), replayPendingBytes: expect.any(Number) } },
        'postgres-replica-1': { status: 'down', error: expect.stringMatching(/^postgres\.replicas\.1: .*ECONNREFUSED/) },
      },
    });
    await pauseReplay();
    try {
      expect((await db.health()).stores['postgres-replica-0']).toMatchObject({ status: 'degraded', error: expect.stringMatching(/^postgres\.replicas\.0: WAL replay is (pause requested|paused)$/) });
    } finally {
      await resumeReplay();
    }
    // Just after a restart, the standby receives again from the start of a WAL segment, behind what it replayed.
    // (The server started keeps the script's stderr: only an ignored one lets the call return.)
    const standbyOnly = open({ replicas: [standbyUrl] });
    expect(spawnSync('scripts/pgvector-server.sh', ['restart-replica'], { stdio: 'ignore' }).status).toBe(0);
    for (let polls = 0; polls < 30; polls++) {
      const { status, details } = (await standbyOnly.health({ timeoutMs: 5_000 })).stores['postgres-replica-0'];
      if (status === 'up') {
        const { replayLagSeconds, replayPendingBytes } = details as { replayLagSeconds: number; replayPendingBytes: number | null };
        if (replayPendingBytes !== null) expect(replayPendingBytes).toBeGreaterThanOrEqual(0);
        if (replayPendingBytes === 0) expect(replayLagSeconds).toBe(0);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // A "replica" that is no standby.
    const primaryAsReplica = open({ replicas: [database.url] });
    expect((await primaryAsReplica.health()).stores['postgres-replica-0']).toMatchObject({ status: 'degraded', details: { inRecovery: false } });
  });
});
