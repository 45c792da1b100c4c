import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as fixtureSchema from './fixtures/runtime/drizzle/schema.js';
import { notesCollection, type NotesRecord } from './fixtures/runtime/generated/index.js';
import { random, randomVector } from './helpers/vectors.js';
import { copyCollection } from '../src/copy/copy-collection.js';
import { createRuntime } from '../src/facade/create-runtime.js';
import type { PolystoreOptions } from '../src/runtime/contract/options.js';

const run = promisify(execFile);
const N = 1_200;
const next = random(11);
const records: NotesRecord[] = Array.from({ length: N }, (_, i) => ({
  id: `note-${i}`,
  tenantId: i % 3 === 0 ? 'acme' : 'globex',
  title: `title ${i} "quoted" \\ ✓`,
  rank: i,
  weight: i % 4 === 0 ? null : next(),
  published: i % 2 === 0,
  kind: (['memo', 'todo', 'idea'] as const)[i % 3],
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
  meta: i % 5 === 0 ? null : { b: i, a: { z: [i, 'x'] } },
  embedding: randomVector(next, 8),
}));

describe('polystore vectors copy', () => {
  let dir: string;
  const runtime = (options: PolystoreOptions) =>
    createRuntime(fixtureSchema, pathToFileURL(path.resolve('test/fixtures/runtime/generated/index.ts')).href, [notesCollection], options);
  let pgDir: string;
  let milvusPath: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'polystore-copy-'));
    pgDir = path.join(dir, 'pglite');
    milvusPath = path.join(dir, 'milvus.db');
    const seed = runtime({ pglite: { dataDir: pgDir } });
    await seed.backendStore(notesCollection, 'pgvector').insert(records);
    await seed.close();
  }, 120_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('resumes after an interruption, verifies, and is idempotent when run again', async () => {
    const reads: string[] = [];
    const db = runtime({ pglite: { dataDir: pgDir }, milvus: { address: milvusPath }, logQuery: (sql) => sql.startsWith('select') && reads.push(sql) });
    const storeOn = (backend: 'pgvector' | 'milvus') => db.backendStore(notesCollection, backend);
    const statePath = path.join(dir, 'state.json');
    try {
      const stop = new AbortController();
      const interrupted = copyCollection(notesCollection, storeOn, {
        from: 'pgvector',
        to: 'milvus',
        batchSize: 200,
        statePath,
        signal: stop.signal,
        onProgress: (copied) => copied >= 400 && stop.abort(),
      });
      await expect(interrupted).rejects.toMatchObject({ code: 'COPY_INTERRUPTED' });
      expect(existsSync(statePath)).toBe(true);
      expect(await storeOn('milvus').count()).toBe(400);

      const resumed = await copyCollection(notesCollection, storeOn, { from: 'pgvector', to: 'milvus', batchSize: 200, statePath });
      expect(resumed).toMatchObject({ total: N, resumedAt: 400, sourceCount: N, targetCount: N });
      // About 1,000 of the 1,200, chosen by a hash of the id: the same ones on every run.
      expect(resumed.sampled).toBeGreaterThan(900);
      expect(resumed.sampled).toBeLessThan(N);
      expect(resumed.targetChecksum).toBe(resumed.sourceChecksum);
      expect(existsSync(statePath)).toBe(false);

      const again = await copyCollection(notesCollection, storeOn, { from: 'pgvector', to: 'milvus', statePath });
      expect(again).toMatchObject({ resumedAt: 0, targetCount: N, targetChecksum: resumed.sourceChecksum });
      // The source is read in keyset pages, never whole: memory holds a page, whatever the collection's size.
      const scans = reads.filter((sql) => !sql.includes('count(*)') && !sql.includes(' in ('));
      expect(scans.length).toBeGreaterThan(0);
      for (const scan of scans) expect(scan).toMatch(/order by "id" limit \$1$/);
      // Tenants and every field arrive as they were.
      const acme = await storeOn('milvus').count({ tenantId: 'acme' } as never);
      expect(acme).toBe(records.filter((record) => record.tenantId === 'acme').length);
      expect(await storeOn('milvus').get(['note-5'])).toEqual(await storeOn('pgvector').get(['note-5']).then((rows) => rows.map((row) => ({ ...row, embedding: expect.any(Array) }))));
    } finally {
      await db.close();
    }
  }, 180_000);

  it('fails verification when the target holds records the source lacks', async () => {
    const db = runtime({ pglite: { dataDir: pgDir }, milvus: { address: milvusPath } });
    try {
      await db.backendStore(notesCollection, 'milvus').insert([{ ...records[0], id: 'stray' }]);
      const copied = copyCollection(notesCollection, (backend) => db.backendStore(notesCollection, backend), { from: 'pgvector', to: 'milvus', statePath: path.join(dir, 's2.json') });
      await expect(copied).rejects.toMatchObject({ code: 'COPY_VERIFICATION_FAILED', message: expect.stringMatching(new RegExp(`^copy: pgvector has ${N} records, milvus has ${N + 1}; checksums of \\d+ sampled records agree$`)) });
      await db.backendStore(notesCollection, 'milvus').delete({ ids: ['stray'] });
    } finally {
      await db.close();
    }
  }, 120_000);

  it('runs from the command line, back from Milvus into a new PGlite, with a progress bar on a terminal only', async () => {
    const target = path.join(dir, 'pglite-back');
    const cli = (...args: string[]) => run(process.execPath, ['bin/polystore.js', 'vectors', 'copy', ...args], { env: { ...process.env, POLYSTORE_MILVUS_ADDRESS: '' } });
    const { stdout, stderr } = await cli('notes', '--from', 'milvus', '--to', 'pgvector', '--out', 'test/fixtures/runtime', '--pglite-dir', target, '--milvus', milvusPath, '--batch', '300');
    expect(stdout).toMatch(new RegExp(`copied ${N} of ${N} records of "notes"; verified: ${N} records on both sides, \\d{3,4} sampled records match`));
    expect(stderr).toBe('');

    const failure = (args: string[]) => cli(...args).then(() => 'exit 0', (error: { code: number; stderr: string }) => `exit ${error.code}: ${error.stderr.trim()}`);
    expect(await failure(['nots', '--from', 'milvus', '--to', 'pgvector', '--out', 'test/fixtures/runtime', '--pglite-dir', target, '--milvus', milvusPath])).toBe(
      'exit 1: polystore: no vector collection "nots" (have chunks, exact, exactcos, exactl2, notes, passages, points, wide)',
    );
    expect(await failure(['notes', '--from', 'pgvector', '--to', 'milvus', '--out', 'test/fixtures/runtime', '--pglite-dir', target])).toBe(
      'exit 1: polystore: copying to or from Milvus needs --milvus <address or path.db> (or POLYSTORE_MILVUS_ADDRESS, or connections.milvus in polystore.config.ts)',
    );
    expect(await failure(['notes', '--from', 'pgvector', '--to', 'qdrant'])).toBe("exit 1: polystore: option '--to <backend>' argument 'qdrant' is invalid. Allowed choices are pgvector, milvus.");
    // A Milvus that cannot be reached: its error alone, no progress bar before it.
    const unreachable = await cli('notes', '--from', 'pgvector', '--to', 'milvus', '--out', 'test/fixtures/runtime', '--pglite-dir', target, '--milvus', '127.0.0.1:9', '--state', path.join(dir, 'unreachable.json')).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(unreachable).toMatchObject({ code: 1, stdout: '', stderr: expect.stringMatching(/^polystore: cannot reach Milvus at 127\.0\.0\.1:9: [^\n]*\n$/) });
  }, 180_000);
});
