// polystore migrate / migrate status / --dry-run, through the CLI and the facade, on the native server and Milvus Lite.
import { execFile } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DataType, MilvusClient } from '@zilliz/milvus2-sdk-node';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolystore } from './fixtures/runtime/generated/index.js';
import { polystore, repoRoot, scratchDir } from './helpers/cli.js';
import { ALL_ON_MILVUS, serverDatabase, serverUrl } from './helpers/engines.js';
import { InvalidInputError, PolystoreError } from '../src/errors.js';
import { migrateDown } from '../src/operations/migrate-down.js';
import { acquireMilvusLite } from '../src/runtime/milvus/milvus-lite.js';
import { openConnection } from '../src/runtime/postgres/open-connection.js';

const run = promisify(execFile);

/** A copy of the runtime fixture's generated/ and drizzle/, with a polystore.config.ts naming where to connect. */
function project(connections: string): string {
  const dir = scratchDir();
  for (const folder of ['generated', 'drizzle']) cpSync(join(repoRoot, 'test/fixtures/runtime', folder), join(dir, folder), { recursive: true });
  writeFileSync(join(dir, 'polystore.config.ts'), `export default { schema: '../../fixtures/runtime/schema.ts', connections: ${connections} };\n`);
  return dir;
}

/** A migration after the project's last one, `statements` apart by breakpoints. */
function addMigration(dir: string, tag: string, statements: string[]): void {
  const journal = join(dir, 'drizzle/meta/_journal.json');
  const parsed = JSON.parse(readFileSync(journal, 'utf8')) as { entries: Array<{ idx: number; when: number }> };
  const last = parsed.entries.at(-1)!;
  writeFileSync(journal, JSON.stringify({ ...parsed, entries: [...parsed.entries, { idx: last.idx + 1, version: '7', when: last.when + 1000, tag, breakpoints: true }] }));
  writeFileSync(join(dir, `drizzle/${tag}.sql`), `${statements.join('\n--> statement-breakpoint\n')}\n`);
}

/** The message `migrate` of `folder` fails with, through `connection` (closed after). */
async function migrateFailure(connection: ReturnType<typeof openConnection>, folder: string): Promise<PolystoreError> {
  try {
    const failed = await connection.migrate(folder).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(PolystoreError);
    return failed as PolystoreError;
  } finally {
    await connection.close();
  }
}

const tables = async (url: string) => {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return (await sql<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public' order by 1`).map((row) => row.name);
  } finally {
    await sql.end();
  }
};

describe.skipIf(!serverUrl)('polystore migrate on the native server', () => {
  let database: Awaited<ReturnType<typeof serverDatabase>>;
  let dir: string;
  beforeAll(async () => {
    database = await serverDatabase(serverUrl!);
    dir = project(`{ postgres: ${JSON.stringify(database.url)} }`);
  });
  afterAll(async () => {
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('status lists each migration pending and exits 1; --dry-run prints the SQL and changes nothing', async () => {
    const status = polystore(['migrate', 'status'], { cwd: dir });
    expect(status.status).toBe(1);
    expect(status.stdout).toMatch(/^postgres pending  0000_init  sha256 [0-9a-f]{12}$/m);
    expect(status.stdout).toMatch(/^postgres pending  0003_keyword_search /m);
    expect(status.stdout).toContain('migrations are pending: run `polystore migrate`');

    const dry = polystore(['migrate', '--dry-run'], { cwd: dir });
    expect(dry.status).toBe(0);
    expect(dry.stdout).toMatch(/^-- 0000_init \(sha256 [0-9a-f]{12}\)$/m);
    expect(dry.stdout).toContain('CREATE TABLE "notes"');
    expect(dry.stdout).toContain('-- polystore: dry run, nothing was changed (4 migration(s) pending).');
    expect(await tables(database.url)).toEqual([]);
  });

  it('migrate applies them once, from three processes at once; status is then current and exits 0', async () => {
    const bin = join(repoRoot, 'bin/polystore.js');
    const outputs = await Promise.all([1, 2, 3].map(async () => (await run(process.execPath, [bin, 'migrate'], { cwd: dir })).stdout.trim()));
    // One process did the work; the others found nothing pending once they held the lock.
    expect(outputs.filter((out) => out === 'postgres: applied 0000_init, 0001_exact_collections, 0002_halfvec_collection, 0003_keyword_search')).toHaveLength(1);
    expect(outputs.filter((out) => out === 'postgres: nothing to apply')).toHaveLength(2);
    expect(await tables(database.url)).toContain('notes');

    const status = polystore(['migrate', 'status', '--json'], { cwd: dir });
    expect(status.status).toBe(0);
    const report = JSON.parse(status.stdout) as { status: string; postgres: Array<{ tag: string; state: string }> };
    expect(report.status).toBe('current');
    expect(report.postgres.map((m) => `${m.tag} ${m.state}`)).toEqual(['0000_init applied', '0001_exact_collections applied', '0002_halfvec_collection applied', '0003_keyword_search applied']);
  }, 120_000);

  it('an applied migration whose file changed since is reported changed, with a warning, and exits 1', () => {
    const file = join(dir, 'drizzle/0001_exact_collections.sql');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, `${original}-- edited after it was applied\n`);
    try {
      const status = polystore(['migrate', 'status'], { cwd: dir });
      expect(status.status).toBe(1);
      expect(status.stdout).toMatch(/^postgres changed  0001_exact_collections .* warning: the file changed since it was applied$/m);
      expect(status.stdout).toContain('a store drifted from the schema');
    } finally {
      writeFileSync(file, original);
    }
  });

  it('a database ahead of the code: status says drifted, migrate down names what it does not know', () => {
    const behind = scratchDir();
    try {
      for (const folder of ['generated', 'drizzle']) cpSync(join(dir, folder), join(behind, folder), { recursive: true });
      const journal = join(behind, 'drizzle/meta/_journal.json');
      const parsed = JSON.parse(readFileSync(journal, 'utf8')) as { entries: unknown[] };
      writeFileSync(journal, JSON.stringify({ ...parsed, entries: parsed.entries.slice(0, 3) }));
      rmSync(join(behind, 'drizzle/0003_keyword_search.sql'));
      const args = ['--out', behind, '--postgres', database.url];
      const status = polystore(['migrate', 'status', ...args], { cwd: behind });
      expect(status.status).toBe(1);
      expect(status.stdout).toMatch(/^postgres unknown  \(unknown\) .* warning: a migration applied .* is not in drizzle\/: the database is ahead of this code$/m);
      const down = polystore(['migrate', 'down', '--to', '0000_init', ...args], { cwd: behind });
      expect(down.status).toBe(1);
      expect(down.stderr).toMatch(/^polystore: the database has 1 applied migration\(s\) after "0000_init" that .* does not have/m);
    } finally {
      rmSync(behind, { recursive: true, force: true });
    }
  });

  it('health from another directory: the server is up, pending migrations unknown; errors of the driver are one line', () => {
    const elsewhere = scratchDir();
    try {
      const health = polystore(['health', '--json', '--postgres', database.url], { cwd: elsewhere });
      expect(health.status).toBe(0);
      expect(JSON.parse(health.stdout)).toMatchObject({ status: 'up', stores: { postgres: { details: { pendingMigrations: null } } } });
      const refused = polystore(['migrate', 'status', '--postgres', 'postgres://postgres@127.0.0.1:9/none'], { cwd: dir });
      expect(refused.status).toBe(1);
      expect(refused.stderr.trim()).toBe('polystore: connect ECONNREFUSED 127.0.0.1:9');
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('every CLI failure is one `polystore:` line: a server that never answers (naming it), a bad URL, commander\'s own', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => void sockets.add(socket.on('error', () => undefined)));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(silent.address() as { port: number }).port}`;
    try {
      const bin = join(repoRoot, 'bin/polystore.js');
      const stuck = await run(process.execPath, [bin, 'migrate', '--postgres', `postgres://postgres@${address}/none`], { cwd: dir }).catch((error: { stderr: string }) => error);
      expect(stuck.stderr).toBe(`polystore: write CONNECT_TIMEOUT ${address}\n`);
    } finally {
      sockets.forEach((socket) => socket.destroy());
      await new Promise((resolve) => silent.close(resolve));
    }
    for (const command of [['migrate'], ['migrate', 'status'], ['health'], ['partitions', 'ensure']]) {
      const garbage = polystore([...command, '--postgres', 'garbage'], { cwd: dir });
      expect({ command, status: garbage.status, stderr: garbage.stderr }).toEqual({ command, status: 1, stderr: 'polystore: --postgres: expected a postgres:// URL, got "garbage"\n' });
    }
    expect(polystore(['migrate', '--bogus'], { cwd: dir }).stderr).toBe("polystore: unknown option '--bogus'\n");
    expect(polystore(['migrat'], { cwd: dir }).stderr).toBe("polystore: unknown command 'migrat' (Did you mean migrate?)\n");
  }, 60_000);

  it('a postgres URL that does not parse is one line naming the problem and where the URL came from; INVALID_OPTION in the facade', () => {
    const bad: Array<[string, string]> = [
      ['postgres://u@host:99999/db', 'port 99999 is not from 1 to 65535'],
      ['postgres://a b@/x', 'it does not parse as a URL'],
      ['postgres://u@[::1/x', 'it does not parse as a URL'],
      ['postgres://u:p%@127.0.0.1/x', 'its user or password has a % not followed by two hex digits'],
    ];
    const oneLine = (result: { status: number | null; stderr: string }, start: string) => {
      expect({ start, status: result.status, lines: result.stderr.split('\n').length }).toEqual({ start, status: 1, lines: 2 });
      expect(result.stderr.startsWith(start)).toBe(true);
      expect(result.stderr).not.toContain(':p%@');
    };
    for (const [url, problem] of bad) oneLine(polystore(['migrate', '--postgres', url], { cwd: dir }), `polystore: --postgres: ${problem}`);
    const commands = [['migrate', 'status'], ['migrate', 'down', '--to', '0000_init'], ['vectors', 'copy', 'notes', '--from', 'pgvector', '--to', 'milvus'], ['partitions', 'ensure'], ['health']];
    for (const command of commands) oneLine(polystore([...command, '--postgres', bad[0][0]], { cwd: dir }), `polystore: --postgres: ${bad[0][1]}`);
    oneLine(polystore(['health'], { cwd: dir, env: { POLYSTORE_POSTGRES_URL: bad[3][0] } }), `polystore: POLYSTORE_POSTGRES_URL: ${bad[3][1]}`);
    const configured = project(`{ postgres: ${JSON.stringify(bad[2][0])} }`);
    try {
      for (const command of [['migrate'], ['health']]) oneLine(polystore(command, { cwd: configured, env: { POLYSTORE_POSTGRES_URL: '' } }), `polystore: connections.postgres in polystore.config.ts: ${bad[2][1]}`);
    } finally {
      rmSync(configured, { recursive: true, force: true });
    }
    for (const [url, problem] of bad) {
      const refused = (() => {
        try {
          return createPolystore({ postgres: url });
        } catch (error) {
          return error;
        }
      })();
      expect(refused).toBeInstanceOf(InvalidInputError);
      expect(refused).toMatchObject({ code: 'INVALID_OPTION', message: expect.stringContaining(`postgres: ${problem}`) });
    }
  }, 120_000);

  it('health and partitions ensure connect where polystore.config.ts says, as migrate does', () => {
    const env = { POLYSTORE_POSTGRES_URL: '' };
    const health = polystore(['health', '--json'], { cwd: dir, env });
    expect(health.status).toBe(0);
    expect(JSON.parse(health.stdout)).toMatchObject({ status: 'up', stores: { postgres: { details: { pendingMigrations: 0 } } } });
    const partitions = polystore(['partitions', 'ensure', '--dry-run'], { cwd: dir, env });
    expect(partitions.status).toBe(0);
    expect(partitions.stdout).toMatch(/^polystore: (would create|every partitioned table)/m);
  });

  it('says which flag is missing, and flags beat the configuration', () => {
    const bare = scratchDir();
    try {
      for (const folder of ['generated', 'drizzle']) cpSync(join(repoRoot, 'test/fixtures/runtime', folder), join(bare, folder), { recursive: true });
      const missing = polystore(['migrate', 'status'], { cwd: bare, env: { POLYSTORE_POSTGRES_URL: '' } });
      expect(missing.status).toBe(1);
      expect(missing.stderr.trim()).toBe('polystore: migrate needs --postgres <url> or --pglite-dir <dir> (or POLYSTORE_POSTGRES_URL, or connections.postgres in polystore.config.ts)');
      const flagged = polystore(['migrate', 'status', '--postgres', database.url], { cwd: bare });
      expect(flagged.status).toBe(0);
      const nowhere = polystore(['migrate', 'status', '--out', join(bare, 'nowhere'), '--postgres', database.url], { cwd: bare });
      expect(nowhere.stderr).toContain('generated/vectors.ts not found: run `polystore generate` first');
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!serverUrl)('a migration that fails', () => {
  it('is MIGRATION_FAILED naming the migration, the statement and PostgreSQL\'s words, one CLI line; nothing applied, the lock free', async () => {
    const database = await serverDatabase(serverUrl!);
    const dir = project(`{ postgres: ${JSON.stringify(database.url)} }`);
    try {
      // A fifth migration: its first statement passes, its second fails.
      addMigration(dir, '0004_bad', ['CREATE TABLE "kept_out" ("id" text);', "SELECT\n  '[1,2,3,4,5,6,7,8]'::vector(16);"]);
      const failed = await migrateFailure(openConnection({}, { postgres: database.url }, (query) => query()), join(dir, 'drizzle'));
      expect(failed).toMatchObject({ code: 'MIGRATION_FAILED' });
      expect(failed.message).toBe(
        "migration 0004_bad failed, nothing was applied: expected 16 dimensions, not 8 (SQLSTATE 22000), in statement 2 of its 2: SELECT '[1,2,3,4,5,6,7,8]'::vector(16);",
      );
      expect(await tables(database.url)).toEqual([]);
      const cli = polystore(['migrate'], { cwd: dir });
      expect(cli.status).toBe(1);
      expect(cli.stderr).toMatch(/^polystore: migration 0004_bad failed, nothing was applied: expected 16 dimensions, not 8 \(SQLSTATE 22000\), in statement 2 of its 2: SELECT .*\n$/);
      const status = polystore(['migrate', 'status'], { cwd: dir });
      expect(status.stdout).toMatch(/^postgres pending  0000_init /m);
      expect(status.stdout).toMatch(/^postgres pending  0004_bad /m);
      // The lock went with the transaction: another migrator is not held.
      const sql = postgres(database.url, { max: 1, onnotice: () => {} });
      try {
        expect((await sql.unsafe('select pg_try_advisory_lock(8101813523546664818) as free'))[0].free).toBe(true);
      } finally {
        await sql.end();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    }
  }, 120_000);
});

describe('a migration that fails, told on one line', () => {
  const repeated = ['CREATE TABLE zz_d (x int);', 'SELECT 1;', 'CREATE TABLE zz_d (x int);'];
  const third = 'in statement 3 of its 3: CREATE TABLE zz_d (x int);';

  it('PGlite: the statement that failed is counted, not found by its text (it comes twice)', async () => {
    const dir = project('{}');
    try {
      addMigration(dir, '0004_twice', repeated);
      const failed = await migrateFailure(openConnection({}, { pglite: { dataDir: join(dir, 'pglite') } }, (query) => query()), join(dir, 'drizzle'));
      expect(failed.message).toBe(`migration 0004_twice failed, nothing was applied: relation "zz_d" already exists (SQLSTATE 42P07), ${third}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  /** `test` with a new database on the native server and a project migrating it. */
  const onServer = async (test: (database: { url: string }, dir: string) => Promise<void>) => {
    const database = await serverDatabase(serverUrl!);
    const dir = project(`{ postgres: ${JSON.stringify(database.url)} }`);
    try {
      await test(database, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    }
  };

  it.skipIf(!serverUrl)('the server: the statement that failed is counted too', () =>
    onServer(async (database, dir) => {
      addMigration(dir, '0004_twice', repeated);
      const failed = await migrateFailure(openConnection({}, { postgres: database.url }, (query) => query()), join(dir, 'drizzle'));
      expect(failed.message).toBe(`migration 0004_twice failed, nothing was applied: relation "zz_d" already exists (SQLSTATE 42P07), ${third}`);
    }), 120_000);

  it.skipIf(!serverUrl)('PostgreSQL\'s words of several lines are put on one, in the CLI too', () =>
    onServer(async (database, dir) => {
      addMigration(dir, '0004_lines', ["DO $$ BEGIN RAISE EXCEPTION E'first line\\nsecond line\\nthird'; END $$;"]);
      const failed = await migrateFailure(openConnection({}, { postgres: database.url }, (query) => query()), join(dir, 'drizzle'));
      expect(failed.message).toMatch(/^migration 0004_lines failed, nothing was applied: first line second line third \(SQLSTATE P0001\), in statement 1 of its 1: DO [^\n]*$/);
      const cli = polystore(['migrate'], { cwd: dir });
      expect(cli.status).toBe(1);
      expect(cli.stderr).toMatch(/^polystore: migration 0004_lines failed, nothing was applied: first line second line third \(SQLSTATE P0001\), in statement 1 of its 1: DO .*\n$/);
    }), 120_000);

  it.skipIf(!serverUrl)('the migration lock held past lock_timeout is LOCK_TIMEOUT, from db.migrate() and the CLI', () =>
    onServer(async (database, dir) => {
      const holder = postgres(database.url, { max: 1, onnotice: () => {} });
      try {
        await holder.unsafe('select pg_advisory_lock(8101813523546664818)');
        await holder.unsafe(`ALTER DATABASE ${new URL(database.url).pathname.slice(1)} SET lock_timeout = '500ms'`);
        const db = createPolystore({ postgres: database.url });
        try {
          const failed = await db.migrate().catch((error: unknown) => error);
          expect(failed).toBeInstanceOf(PolystoreError);
          expect(failed).toMatchObject({ code: 'LOCK_TIMEOUT', message: expect.stringMatching(/^migrate: another process holds the migration lock .*\(SQLSTATE 55P03\); nothing was applied/) });
        } finally {
          await db.close();
        }
        const cli = polystore(['migrate'], { cwd: dir });
        expect(cli.status).toBe(1);
        expect(cli.stderr).toMatch(/^polystore: migrate: another process holds the migration lock [^\n]*\n$/);
        expect(await tables(database.url)).toEqual([]);
      } finally {
        await holder.end();
      }
    }), 120_000);
});

describe.skipIf(!serverUrl)('migrate with Milvus Lite', () => {
  let lite: ReturnType<typeof acquireMilvusLite>;
  let address: string;
  let liteDir: string;
  beforeAll(async () => {
    liteDir = await mkdtemp(join(tmpdir(), 'polystore-migrate-'));
    lite = acquireMilvusLite(join(liteDir, 'migrate.db'));
    address = await lite.address;
  }, 60_000);
  afterAll(async () => {
    await lite?.release();
    await rm(liteDir, { recursive: true, force: true });
  });

  it('a drifted collection is refused before PostgreSQL is touched, its differences listed; status says drifted', async () => {
    const database = await serverDatabase(serverUrl!);
    const db = createPolystore({ postgres: database.url, milvus: { address }, vectorBackends: ALL_ON_MILVUS });
    // A collection of the schema's name made by hand: another dimension, two fields short.
    const sdk = new MilvusClient({ address, logLevel: 'error' });
    try {
      await sdk.createCollection({
        collection_name: 'points',
        fields: [
          { name: 'id', data_type: DataType.VarChar, is_primary_key: true, max_length: 64 },
          { name: 'embedding', data_type: DataType.FloatVector, dim: 3 },
        ],
      });
      const status = await db.migrationStatus();
      expect(status.status).toBe('drifted');
      expect(status.milvus.find((c) => c.collection === 'notes')).toMatchObject({ state: 'missing', problems: [] });
      const points = status.milvus.find((c) => c.collection === 'points')!;
      expect(points.state).toBe('drifted');
      expect(points.problems.some((problem) => /dimension 3, expected/.test(problem))).toBe(true);

      const refused = await db.migrate().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(PolystoreError);
      expect((refused as PolystoreError).code).toBe('SCHEMA_MISMATCH');
      expect((refused as Error).message).toMatch(/nothing was migrated: "points": .*dimension 3, expected/);
      expect(await tables(database.url)).toEqual([]);
      expect((await sdk.hasCollection({ collection_name: 'notes' })).value).toBe(false);
    } finally {
      await sdk.dropCollection({ collection_name: 'points' });
      await sdk.closeConnection();
      await db.close();
      await database.drop();
    }
  }, 180_000);

  it('the CLI creates each missing collection, says so, and a second run changes nothing', async () => {
    const database = await serverDatabase(serverUrl!);
    const dir = project(`{ postgres: ${JSON.stringify(database.url)}, milvus: { address: ${JSON.stringify(address)} }, vectorBackends: { notes: 'milvus', exact: 'milvus' } }`);
    try {
      const dry = polystore(['migrate', '--dry-run'], { cwd: dir });
      expect(dry.stdout).toContain('// milvus: create collection "notes" (');
      expect(dry.stdout).toMatch(/^\/\/ milvus: create HNSW index on "notes"\.embedding \(COSINE\)$/m);
      const first = polystore(['migrate'], { cwd: dir });
      expect(first.stdout.trim().split('\n')).toEqual([
        'postgres: applied 0000_init, 0001_exact_collections, 0002_halfvec_collection, 0003_keyword_search',
        'milvus: exact created',
        'milvus: notes created',
      ]);
      const second = polystore(['migrate'], { cwd: dir });
      expect(second.stdout.trim().split('\n')).toEqual(['postgres: nothing to apply', 'milvus: exact unchanged', 'milvus: notes unchanged']);
      const status = polystore(['migrate', 'status'], { cwd: dir });
      expect(status.status).toBe(0);
      expect(status.stdout).toMatch(/^milvus   present  notes$/m);
    } finally {
      const sdk = new MilvusClient({ address, logLevel: 'error' });
      for (const name of ['notes', 'exact']) await sdk.dropCollection({ collection_name: name }).catch(() => undefined);
      await sdk.closeConnection();
      rmSync(dir, { recursive: true, force: true });
      await database.drop();
    }
  }, 180_000);
});

describe('the migrations folder', () => {
  it('is drizzle/ beside the facade, or migrationsFolder; where none is, the error says where it looked and why', async () => {
    // A build that compiled generated/ elsewhere left drizzle/ behind: migrationsFolder names the copy.
    const copy = join(scratchDir(), 'migrations');
    cpSync(join(repoRoot, 'test/fixtures/runtime/drizzle'), copy, { recursive: true });
    const moved = createPolystore({ migrationsFolder: copy });
    await moved.migrate();
    await moved.close();
    const nowhere = createPolystore({ migrationsFolder: join(scratchDir(), 'missing') });
    await expect(nowhere.migrate()).rejects.toMatchObject({ code: 'GENERATED_NOT_FOUND', message: expect.stringMatching(/^no migrations at .*missing \(meta\/_journal\.json not found\)\. They are looked for in drizzle\/ beside the generated facade's folder, or in createPolystore\(\{ migrationsFolder \}\); a build that compiles generated\/ elsewhere/) });
    await nowhere.close();
    // Its journal copied without its SQL files: named, not a raw error of the migrator's.
    const partial = join(scratchDir(), 'partial');
    cpSync(join(repoRoot, 'test/fixtures/runtime/drizzle/meta'), join(partial, 'meta'), { recursive: true });
    const incomplete = createPolystore({ migrationsFolder: partial });
    await expect(incomplete.migrate()).rejects.toMatchObject({ code: 'GENERATED_NOT_FOUND', message: expect.stringMatching(/^the migrations at .*partial are incomplete: .*0000_init\.sql.*Copy the whole drizzle\/ folder/) });
    await expect(incomplete.vectors.exact.count()).rejects.toMatchObject({ code: 'GENERATED_NOT_FOUND' });
    await incomplete.close();
    for (const migrationsFolder of ['', 42]) expect(() => createPolystore({ migrationsFolder } as never)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', issues: [expect.objectContaining({ path: ['migrationsFolder'] })] }));
  });
});

describe('migrate down', () => {
  it.skipIf(!serverUrl)('reverses newest first in one transaction; refuses to drop a table holding rows unless forced; migrate applies again', async () => {
    const database = await serverDatabase(serverUrl!);
    const db = createPolystore({ postgres: database.url });
    try {
      await db.migrate();
      await db.vectors.wide.insert([{ id: 'w1', label: 'kept', embedding: Array.from({ length: 2048 }, (_, i) => (i % 7) + 1) }]);
      const dry = await db.migrateDown({ to: '0000_init', dryRun: true });
      expect(dry.reversed).toEqual(['0003_keyword_search', '0002_halfvec_collection', '0001_exact_collections']);
      expect(dry.drops).toEqual([
        { table: 'chunks', rows: 0 },
        { table: 'exactcos', rows: 0 },
        { table: 'exactl2', rows: 0 },
        { table: 'wide', rows: 1 },
      ]);
      expect(dry.statements[0]).toBe('DROP TABLE "chunks" CASCADE;');

      // Options are what they say: a string is no `force`, a misspelled `dryrun` no dry run.
      await expect(db.migrateDown({ to: '0000_init', force: 'false' as unknown as boolean })).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['force'] }] });
      await expect(db.migrateDown({ to: '0000_init', dryrun: true } as never)).rejects.toMatchObject({ issues: [{ path: ['dryrun'] }] });
      await expect(db.migrateDown(null as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
      const refused = await db.migrateDown({ to: '0000_init' }).catch((error: unknown) => error);
      expect(refused).toMatchObject({ code: 'MIGRATION_DATA_LOSS' });
      expect((refused as Error).message).toBe('the reversal would drop table "wide" (1 rows); nothing was changed. Pass force (--force) to drop them.');
      expect(await tables(database.url)).toContain('wide');
      expect((await db.migrationStatus()).status).toBe('current');

      const forced = await db.migrateDown({ to: '0000_init', force: true });
      expect(forced.reversed).toEqual(['0003_keyword_search', '0002_halfvec_collection', '0001_exact_collections']);
      expect(await tables(database.url)).not.toContain('wide');
      expect(await tables(database.url)).not.toContain('exactcos');
      expect(await tables(database.url)).toContain('notes');
      const status = await db.migrationStatus();
      expect(status.postgres.map((m) => m.state)).toEqual(['applied', 'pending', 'pending', 'pending']);
      expect((await db.migrateDown({ to: '0000_init' })).reversed).toEqual([]);
      expect((await db.migrate()).postgres).toEqual(['0001_exact_collections', '0002_halfvec_collection', '0003_keyword_search']);
      expect(await db.vectors.wide.count()).toBe(0);
    } finally {
      await db.close();
      await database.drop();
    }
  }, 120_000);

  // A reversal edited by hand may keep every name and still lose rows: each is judged by identity and counts.
  const handEdited = [
    { what: 'drops a table and makes it again under its name', sql: ['CREATE TABLE notes_new (LIKE notes INCLUDING ALL)', 'DROP TABLE notes', 'ALTER TABLE notes_new RENAME TO notes'], lost: 'table "notes" (3 rows)' },
    { what: 'drops a column and adds it again', sql: ['ALTER TABLE notes DROP COLUMN weight', 'ALTER TABLE notes ADD COLUMN weight double precision'], lost: 'column "notes"."weight" (2 non-null values)' },
    {
      what: 'drops a column and adds it again with a default',
      sql: ['ALTER TABLE notes DROP COLUMN weight', 'ALTER TABLE notes ADD COLUMN weight double precision NOT NULL DEFAULT 0'],
      lost: 'column "notes"."weight" (2 non-null values)',
    },
    { what: 'empties a table of another schema', sql: ['TRUNCATE archive.kept'], lost: 'table "archive.kept" (2 rows)' },
    { what: 'drops another schema', sql: ['DROP SCHEMA archive CASCADE'], lost: 'table "archive.kept" (2 rows)' },
    { what: 'truncates', sql: ['TRUNCATE notes'], lost: 'table "notes" (3 rows)' },
    { what: 'deletes', sql: ["DELETE FROM notes WHERE id <> 'n1'"], lost: 'table "notes" (2 rows)' },
    { what: 'empties a column', sql: ['UPDATE notes SET meta = NULL'], lost: 'column "notes"."meta" (1 non-null values)' },
  ];
  const engines = [
    ...(serverUrl ? [{ name: 'the native server', open: () => serverDatabase(serverUrl!).then((database) => ({ options: { postgres: database.url }, drop: database.drop })) }] : []),
    { name: 'PGlite', open: async (dir: string) => ({ options: { pglite: { dataDir: join(dir, 'pglite') } }, drop: async () => {} }) },
  ];
  it.each(engines)('a hand-edited reversal that keeps every name but loses rows is refused without --force ($name)', async ({ open }) => {
    const dir = scratchDir();
    const folder = join(dir, 'drizzle');
    cpSync(join(repoRoot, 'test/fixtures/runtime/drizzle'), folder, { recursive: true });
    const database = await open(dir);
    const connection = openConnection({}, database.options, (query) => query());
    const down = (statements: string[]) => writeFileSync(join(folder, 'down/0003_keyword_search.sql'), ['DROP TABLE "chunks" CASCADE;', ...statements].join('\n--> statement-breakpoint\n'));
    const count = async () => Number((await connection.execute([{ sql: 'select count(*), count(weight), count(meta) from notes', params: [] }]))[0][0].join(''));
    try {
      await connection.migrate(folder);
      await connection.execute([
        {
          sql: `insert into notes (id, tenant_id, title, rank, weight, published, kind, created_at, meta, embedding)
                values ('n1', 't', 'a', 1, 0.5, true, 'k', now(), '{"a":1}', $1), ('n2', 't', 'b', 2, 1.5, true, 'k', now(), null, $1), ('n3', 't', 'c', 3, null, true, 'k', now(), null, $1)`,
          params: [`[${Array(8).fill(1).join(',')}]`],
        },
      ]);
      expect(await count()).toBe(321);
      await connection.execute([{ sql: 'create schema archive', params: [] }, { sql: 'create table archive.kept (id int)', params: [] }, { sql: 'insert into archive.kept values (1), (2)', params: [] }]);
      for (const edit of handEdited) {
        down(edit.sql);
        const dry = await migrateDown(connection, folder, { to: '0002_halfvec_collection', dryRun: true });
        expect(dry.drops.filter((drop) => drop.rows > 0), edit.what).toHaveLength(1);
        const refused = await migrateDown(connection, folder, { to: '0002_halfvec_collection' }).catch((error: unknown) => error);
        expect(refused, edit.what).toMatchObject({ code: 'MIGRATION_DATA_LOSS', message: `the reversal would drop ${edit.lost}; nothing was changed. Pass force (--force) to drop them.` });
        expect(await count(), edit.what).toBe(321);
      }
      // Made again with its rows copied, the table lost nothing: reported as dropped (0 rows), and not refused.
      down(['CREATE TABLE notes_new (LIKE notes INCLUDING ALL)', 'INSERT INTO notes_new SELECT * FROM notes', 'DROP TABLE notes', 'ALTER TABLE notes_new RENAME TO notes']);
      const kept = await migrateDown(connection, folder, { to: '0002_halfvec_collection' });
      expect(kept.drops).toEqual([{ table: 'chunks', rows: 0 }, { table: 'notes', rows: 0 }]);
      expect(await count()).toBe(321);
    } finally {
      await connection.close();
      await database.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('counts the values of a dropped column; bad targets are typed errors naming `to` (facade) or `--to` (CLI)', async () => {
    // A project whose second migration adds a column: its reversal drops it.
    const out = scratchDir();
    const fixture = join(repoRoot, 'test/fixtures/small-schema.ts');
    try {
      polystore(['generate', '--schema', fixture, '--out', out, '--no-prisma-client']);
      writeFileSync(join(out, 'schema.ts'), readFileSync(fixture, 'utf8').replace('published: f.boolean(),', 'published: f.boolean(),\n        rank: f.int().optional(),'));
      expect(polystore(['generate', '--schema', join(out, 'schema.ts'), '--out', out, '--name', 'add_rank', '--no-prisma-client']).status).toBe(0);
      expect(readFileSync(join(out, 'drizzle/down/0001_add_rank.sql'), 'utf8')).toBe('ALTER TABLE "passages" DROP COLUMN "rank";\n');

      // passages is on the milvus backend in the schema: the configuration moves it to pgvector.
      writeFileSync(join(out, 'polystore.config.ts'), "export default { schema: './schema.ts', connections: { vectorBackends: { passages: 'pgvector' } } };\n");
      const pgliteDir = join(out, 'pglite');
      const cli = (...args: string[]) => polystore(['migrate', ...args, '--out', out, '--pglite-dir', pgliteDir], { cwd: out });
      expect(cli().stdout).toContain('postgres: applied 0000_init, 0001_add_rank');
      const connection = openConnection({}, { pglite: { dataDir: pgliteDir } }, (query) => query());
      try {
        await connection.execute([{ sql: `insert into passages (id, lang, position, published, embedding, rank) values ('p1', 'en', 1, true, $1, 5), ('p2', 'fr', 2, false, $1, null)`, params: ['[0.5,0.5,0.5,0.5]'] }]);
      } finally {
        await connection.close();
      }
      // A reversal edited by hand is judged by what it does, not how it is written.
      writeFileSync(join(out, 'drizzle/down/0001_add_rank.sql'), '-- written by hand\nalter table public.passages drop column rank;\n');
      const dryRun = cli('down', '--to', '0000_init', '--dry-run');
      expect(dryRun.stdout).toContain('-- would drop column "passages"."rank": 1 non-null values');
      expect(dryRun.stdout).toContain('-- without --force, the real run is refused');
      const refused = cli('down', '--to', '0000_init');
      expect(refused.status).toBe(1);
      expect(refused.stderr.trim()).toBe('polystore: the reversal would drop column "passages"."rank" (1 non-null values); nothing was changed. Pass force (--force) to drop them.');
      const unknown = cli('down', '--to', '0009_nope');
      expect(unknown.stderr).toMatch(/^polystore: --to: no migration "0009_nope" in .* \(have 0000_init, 0001_add_rank\)$/m);
      const forced = cli('down', '--to', '0000_init', '--force');
      expect(forced.stdout).toContain('-- dropped column "passages"."rank": 1 non-null values');
      expect(forced.stdout).toContain('polystore: reversed 0001_add_rank.');
      expect(cli('status').stdout).toMatch(/^postgres pending  0001_add_rank /m);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
