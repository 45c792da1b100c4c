// db.health(): every store probed, bounded by a timeout, never a throw.
import { execFile } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createPolystore } from './fixtures/runtime/generated/index.js';
import { openMilvusLite, serverDatabase, serverUrl } from './helpers/engines.js';

const run = promisify(execFile);

describe('db.health()', () => {
  it('PGlite: up once migrated, with versions and size; degraded while migrations are pending', async () => {
    const pending = createPolystore({ autoMigrate: false });
    try {
      // The first probe of an embedded PGlite includes its start (seconds of WebAssembly): a generous timeout.
      const report = await pending.health({ timeoutMs: 60_000 });
      expect(report).toMatchObject({ status: 'degraded', stores: { postgres: { status: 'degraded', details: { pendingMigrations: 4, pgvectorVersion: null } } } });
      expect(report.stores.postgres.error).toContain('4 migration(s) pending');
      await pending.migrate();
      expect(await pending.health()).toMatchObject({
        status: 'up',
        stores: { postgres: { status: 'up', details: { serverVersion: expect.stringMatching(/^18\./), pgvectorVersion: expect.stringMatching(/^0\.8\./), pendingMigrations: 0 } } },
      });
    } finally {
      await pending.close();
    }
    // After close it still answers, never throws: down.
    expect(await pending.health()).toMatchObject({ status: 'down', stores: { postgres: { status: 'down', error: expect.any(String) } } });
  });

  it('an unreachable server is down within the timeout, not an exception', async () => {
    const db = createPolystore({ postgres: { url: 'postgres://postgres@127.0.0.1:9/none', connectTimeoutSeconds: 30 } });
    try {
      const started = Date.now();
      const report = await db.health({ timeoutMs: 500 });
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(report).toMatchObject({ status: 'down', stores: { postgres: { status: 'down', error: expect.any(String) } } });
    } finally {
      await db.close();
    }
  });

  it.skipIf(!serverUrl)('the native server and Milvus Lite: both up, with their versions and the collections loaded', async () => {
    const database = await serverDatabase(serverUrl!);
    const milvus = await openMilvusLite({ postgres: database.url });
    try {
      await milvus.db.migrate();
      await milvus.db.vectors.exact.insert([{ id: 'h1', label: 'x', embedding: [1, 0, 0, 0] }]);
      const report = await milvus.db.health();
      expect(report).toMatchObject({
        status: 'up',
        stores: {
          postgres: { status: 'up', details: { serverVersion: expect.stringMatching(/^18\./), pendingMigrations: 0, connections: { active: expect.any(Number), idle: expect.any(Number), max: 200 }, forwarded: null } },
          milvus: { status: 'up', details: { serverVersion: expect.stringContaining('3.2.2'), collections: { exact: { loadState: 'LoadStateLoaded', rowCount: 1 } } } },
        },
      });
    } finally {
      await milvus.close();
      await database.drop();
    }
  }, 120_000);

  it.skipIf(!serverUrl)('polystore health exits within its timeout when servers accept connections and never answer', async () => {
    // Accepts every connection, reads what comes, sends nothing: PostgreSQL's or Milvus's port on a stuck host.
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    const database = await serverDatabase(serverUrl!);
    const health = async (...args: string[]) => {
      const started = Date.now();
      const result = await run(process.execPath, ['bin/polystore.js', 'health', '--timeout', '1000', '--json', ...args]).catch((error: { code: number; stdout: string; stderr: string }) => error);
      return { ms: Date.now() - started, code: (result as { code?: number }).code ?? 0, report: JSON.parse(result.stdout) as { stores: Record<string, { status: string }> } };
    };
    try {
      // The deadline is the timeout plus the CLI's start and a margin, on a loaded machine.
      const bothSilent = await health('--postgres', `postgres://postgres@${address}/none`, '--milvus', address);
      expect(bothSilent).toMatchObject({ code: 1, report: { stores: { postgres: { status: 'down' }, milvus: { status: 'down' } } } });
      expect(bothSilent.ms).toBeLessThan(1_000 + 3_000);
      // The Milvus SDK loads before the probes' clocks start: a healthy PostgreSQL beside a silent Milvus is up.
      const milvusSilent = await health('--postgres', database.url, '--milvus', address);
      expect(milvusSilent).toMatchObject({ code: 1, report: { stores: { postgres: { status: 'degraded' }, milvus: { status: 'down' } } } });
      expect(milvusSilent.ms).toBeLessThan(1_000 + 3_000);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
      await database.drop();
    }
  }, 120_000);

  it.skipIf(!serverUrl)('a timeout beyond what Node\'s timers take is their longest, not 1 ms; the CLI refuses it', async () => {
    const database = await serverDatabase(serverUrl!);
    const db = createPolystore({ postgres: database.url, autoMigrate: false });
    const warnings: string[] = [];
    const warned = (warning: Error) => void warnings.push(warning.name);
    process.on('warning', warned);
    try {
      for (const timeoutMs of [3_000_000_000, Infinity]) expect((await db.health({ timeoutMs })).stores.postgres).toMatchObject({ status: 'degraded', details: { pendingMigrations: 4 } });
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off('warning', warned);
      await db.close();
      await database.drop();
    }
    for (const timeout of ['3000000000', '1e30', '0x10', '0', '1.5']) {
      const cli = await run(process.execPath, ['bin/polystore.js', 'health', '--timeout', timeout, '--postgres', 'postgres://postgres@127.0.0.1:9/none']).catch((error: { code: number; stdout: string; stderr: string }) => error);
      expect(cli).toMatchObject({ code: 1, stdout: '', stderr: `polystore: option '--timeout <ms>' argument '${timeout}' is invalid. use a whole number from 1 to 2147483647\n` });
    }
  }, 60_000);

  it.skipIf(!serverUrl)('polystore health prints each store and exits 0 only when all are up', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, ['bin/polystore.js', 'health', ...args]).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    const database = await serverDatabase(serverUrl!);
    try {
      // A new database: pgvector and every migration missing, so degraded (exit 1); up once migrated.
      const pending = await cli('--postgres', database.url, '--out', 'test/fixtures/runtime', '--json');
      expect(pending.code).toBe(1);
      expect(JSON.parse(pending.stdout)).toMatchObject({ status: 'degraded', stores: { postgres: { details: { pendingMigrations: 4 } } } });
      const db = createPolystore({ postgres: database.url });
      await db.migrate();
      await db.close();
      const up = await cli('--postgres', database.url, '--out', 'test/fixtures/runtime');
      expect(up).toMatchObject({ code: 0, stdout: expect.stringMatching(/^postgres: up \(\d+ ms\)/) });
      expect(await cli('--postgres', 'postgres://postgres@127.0.0.1:9/none', '--timeout', '500')).toMatchObject({ code: 1, stdout: expect.stringMatching(/^postgres: down/) });
    } finally {
      await database.drop();
    }
  }, 60_000);
});
