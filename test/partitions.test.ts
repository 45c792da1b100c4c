// Monthly partitions kept ahead, on the native PostgreSQL server (the relational fixture's `analytics`, partitioned
// by month from 2026-01 for three months, with a DEFAULT partition): facade and CLI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analytics } from './fixtures/relational/drizzle/schema.js';
import { createPolystore, type Polystore } from './fixtures/relational/generated/index.js';
import { serverDatabase, serverUrl } from './helpers/engines.js';

const run = promisify(execFile);
const NOW = new Date('2026-11-25T10:00:00Z');

describe.skipIf(!serverUrl)('partitions kept ahead on a real PostgreSQL server', () => {
  let database: Awaited<ReturnType<typeof serverDatabase>>;
  let db: Polystore;
  let admin: postgres.Sql;
  beforeAll(async () => {
    database = await serverDatabase(serverUrl!);
    db = createPolystore({ postgres: { url: database.url, max: 6 } });
    await db.migrate();
    admin = postgres(database.url, { max: 1, onnotice: () => {} });
  });
  afterAll(async () => {
    await db?.close();
    await admin?.end();
    await database?.drop();
  });
  const placement = async () =>
    (await admin<{ part: string; n: number }[]>`SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM analytics GROUP BY 1 ORDER BY 1`).map((row) => `${row.part} ${row.n}`);

  it('creates this month to `ahead` months on, moving the rows DEFAULT holds, while writers keep inserting; nothing lost', async () => {
    // Rows of November 2026 already sit in DEFAULT.
    await db.sql.insert(analytics).values(Array.from({ length: 50 }, (_, i) => ({ eventType: `early ${i}`, timestamp: new Date(Date.UTC(2026, 10, 1 + (i % 28))) })));
    expect((await db.partitions.ensure({ ahead: 2, now: NOW, dryRun: true })).created).toMatchObject([
      { partition: 'analytics_y2026m11', from: '2026-11-01 00:00:00+00', to: '2026-12-01 00:00:00+00', movedRows: 0 },
      { partition: 'analytics_y2026m12' },
      { partition: 'analytics_y2027m01' },
    ]);
    expect(await placement()).toEqual(['analytics_default 50']);

    // Writers insert into the months being created, before, during and after.
    let written = 50;
    let writing = true;
    const writers = Array.from({ length: 3 }, async (_, w) => {
      for (let i = 0; writing || i < 5; i++) {
        await db.sql.insert(analytics).values({ eventType: `writer ${w}`, timestamp: new Date(Date.UTC(2026, 10 + (i % 3), 1 + (i % 27), 12)) });
        written += 1;
      }
    });
    const { created } = await db.partitions.ensure({ ahead: 2, now: NOW });
    writing = false;
    await Promise.all(writers);
    expect(created.map((entry) => entry.partition)).toEqual(['analytics_y2026m11', 'analytics_y2026m12', 'analytics_y2027m01']);
    expect(created[0].movedRows).toBeGreaterThanOrEqual(50);
    // Every row is there once, each in its month's partition; DEFAULT holds none of those months.
    const [{ n }] = await admin<{ n: number }[]>`SELECT count(*)::int AS n FROM analytics`;
    expect(n).toBe(written);
    const misplaced = await admin`SELECT 1 FROM analytics_default WHERE "timestamp" >= '2026-11-01' AND "timestamp" < '2027-02-01'`;
    expect(misplaced).toHaveLength(0);
    // Running again changes nothing.
    expect(await db.partitions.ensure({ ahead: 2, now: NOW })).toEqual({ created: [], retired: [] });
  });

  it('retains `retain` months back: older partitions detached (rows kept) or dropped; DEFAULT never; a dry run changes nothing', async () => {
    // The fixture's months are 2026-01..03; now is 2026-11. retain 9 keeps February on; retain 8 keeps March on.
    await db.sql.insert(analytics).values([
      { eventType: 'january', timestamp: new Date(Date.UTC(2026, 0, 15)) },
      { eventType: 'february', timestamp: new Date(Date.UTC(2026, 1, 15)) },
      { eventType: 'february', timestamp: new Date(Date.UTC(2026, 1, 16)) },
      { eventType: 'ancient', timestamp: new Date(Date.UTC(2001, 0, 1)) },
    ]);
    const dry = await db.partitions.ensure({ now: NOW, retain: 9, dryRun: true });
    expect(dry.retired).toEqual([{ table: 'analytics', partition: 'analytics_y2026m01', to: '2026-02-01 00:00:00+00', rows: 1, action: 'detached' }]);
    expect(await placement()).toContain('analytics_y2026m01 1');

    expect((await db.partitions.ensure({ now: NOW, retain: 9 })).retired).toMatchObject([{ partition: 'analytics_y2026m01', rows: 1, action: 'detached' }]);
    // Detached: no longer read through analytics, still a table with its rows.
    expect(await placement()).not.toContain('analytics_y2026m01 1');
    expect(await admin`SELECT 1 FROM analytics_y2026m01`).toHaveLength(1);

    expect((await db.partitions.ensure({ now: NOW, retain: 8, drop: true })).retired).toEqual([
      { table: 'analytics', partition: 'analytics_y2026m02', to: '2026-03-01 00:00:00+00', rows: 2, action: 'dropped' },
    ]);
    expect(await admin`SELECT to_regclass('analytics_y2026m02') AS gone`).toEqual([{ gone: null }]);
    // DEFAULT and its row of 2001 stay, whatever the retention.
    expect(await placement()).toContain('analytics_default 1');
    expect((await db.partitions.ensure({ now: NOW, retain: 1, dryRun: true })).retired.map((entry) => entry.partition)).not.toContain('analytics_default');
  });

  it('refuses a bad `ahead`, `retain` or `drop` with a typed error naming each; the CLI does the same work and names its flag', async () => {
    await expect(db.partitions.ensure({ ahead: -1 })).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['ahead'] }] });
    await expect(db.partitions.ensure({ ahead: 1.5 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(db.partitions.ensure({ ahead: -1, retain: 0, drop: true })).rejects.toMatchObject({
      issues: [{ path: ['ahead'] }, { path: ['retain'] }],
    });
    await expect(db.partitions.ensure({ drop: true })).rejects.toMatchObject({ issues: [{ path: ['drop'], message: 'drop needs retain: the months to keep' }] });
    const cli = (...args: string[]) => run(process.execPath, ['bin/polystore.js', 'partitions', 'ensure', ...args], { env: { ...process.env, POLYSTORE_POSTGRES_URL: database.url } });
    const dry = await cli('--ahead', '4', '--dry-run');
    expect(dry.stdout).toMatch(/would create analytics_y\d{4}m\d\d of analytics/);
    const bad = await cli('--ahead', '-2').then(() => 'exit 0', (error: { code: number; stderr: string }) => `exit ${error.code}: ${error.stderr.trim()}`);
    expect(bad).toBe("exit 1: polystore: option '--ahead <n>' argument '-2' is invalid. use a whole number from 0 to 120");
    const retain = await cli('--retain', '1', '--dry-run');
    expect(retain.stdout).toMatch(/^would detach analytics_y2026m03 of analytics \(ends 2026-04-01 00:00:00\+00\), 0 rows$/m);
    expect(retain.stdout).toMatch(/; would detach 1 partition\(s\) older than 1 month\(s\)\.$/m);
  });
});

describe.skipIf(!serverUrl)('partitions ensure under attack', () => {
  let database: Awaited<ReturnType<typeof serverDatabase>>;
  let db: Polystore;
  let admin: postgres.Sql;
  beforeAll(async () => {
    database = await serverDatabase(serverUrl!);
    db = createPolystore({ postgres: { url: database.url, max: 4 } });
    await db.migrate();
    admin = postgres(database.url, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    await db?.close();
    await admin?.end();
    await database?.drop();
  });

  it('refuses options that are not exactly what they say: a string for a boolean, a misspelled key, null', async () => {
    const before = await admin`SELECT count(*)::int AS n FROM pg_inherits`;
    await expect(db.partitions.ensure({ now: NOW, retain: 3, drop: 'false' as unknown as boolean })).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['drop'] }] });
    await expect(db.partitions.ensure({ now: NOW, retain: 3, dryrun: true } as never)).rejects.toMatchObject({ issues: [{ path: ['dryrun'], message: expect.stringMatching(/^unknown option/) }] });
    await expect(db.partitions.ensure(null as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(db.partitions.ensure({ now: new Date('-000100-01-15') })).rejects.toMatchObject({ issues: [{ path: ['now'] }] });
    expect(await admin`SELECT count(*)::int AS n FROM pg_inherits`).toEqual(before);
  });

  it('moves rows by column name when DEFAULT orders its columns differently', async () => {
    await admin.unsafe(`CREATE TABLE swapped (a text, b text, at timestamptz NOT NULL) PARTITION BY RANGE (at);
      CREATE TABLE swapped_def (b text, at timestamptz NOT NULL, a text);
      ALTER TABLE swapped ATTACH PARTITION swapped_def DEFAULT;
      INSERT INTO swapped VALUES ('A', 'B', '2026-11-10')`);
    const { created } = await db.partitions.ensure({ now: NOW, ahead: 0 });
    expect(created.filter((entry) => entry.table === 'swapped')).toMatchObject([{ partition: 'swapped_y2026m11', movedRows: 1 }]);
    expect(await admin`SELECT tableoid::regclass::text AS part, a, b FROM swapped`).toEqual([{ part: 'swapped_y2026m11', a: 'A', b: 'B' }]);
  });

  it('a table of the partition\'s name that is not attached is PARTITION_NAME_TAKEN; names over 63 bytes are refused', async () => {
    await admin.unsafe(`CREATE TABLE analytics_y2027m06 (LIKE analytics)`);
    await expect(db.partitions.ensure({ now: new Date('2027-06-02Z'), ahead: 0 })).rejects.toMatchObject({ code: 'PARTITION_NAME_TAKEN', message: expect.stringContaining('"analytics_y2027m06" exists but is not a partition of "analytics"') });
    await admin.unsafe(`DROP TABLE analytics_y2027m06`);
    const long = 'l'.repeat(56);
    await admin.unsafe(`CREATE TABLE ${long} (at timestamptz NOT NULL) PARTITION BY RANGE (at)`);
    try {
      await expect(db.partitions.ensure({ now: NOW })).rejects.toMatchObject({ code: 'PARTITION_NAME_TOO_LONG', message: expect.stringContaining(`"${long}"`) });
    } finally {
      await admin.unsafe(`DROP TABLE ${long}`);
    }
  });

  it('two retentions at once: each partition retired once, neither fails', async () => {
    const [first, second] = await Promise.all([db.partitions.ensure({ now: NOW, retain: 9 }), db.partitions.ensure({ now: NOW, retain: 9 })]);
    const retired = [...first.retired, ...second.retired].map((entry) => entry.partition);
    expect(retired).toEqual(['analytics_y2026m01']);
  });

  it('gives up with LOCK_TIMEOUT, nothing changed, rather than queue every reader behind a long transaction', async () => {
    const reader = await admin.reserve();
    try {
      await reader.unsafe(`BEGIN; SELECT count(*) FROM analytics`);
      const started = Date.now();
      const outcome = await db.partitions.ensure({ now: new Date('2027-09-15Z'), ahead: 0 }).catch((error: unknown) => error);
      expect(outcome).toMatchObject({ code: 'LOCK_TIMEOUT' });
      expect(Date.now() - started).toBeLessThan(20_000);
      // While it waited, other readers were held at most one lock timeout at a time.
      expect(await admin`SELECT to_regclass('analytics_y2027m09') AS made`).toEqual([{ made: null }]);
    } finally {
      await reader.unsafe('ROLLBACK');
      reader.release();
    }
  }, 30_000);
});

describe.skipIf(!serverUrl)('partitions.ensureAhead at start-up', () => {
  it('the first operation finds this month and the next ones partitioned; a bad setting is refused before anything opens', async () => {
    const database = await serverDatabase(serverUrl!);
    const db = createPolystore({ postgres: database.url, autoMigrate: true, partitions: { ensureAhead: 1 } });
    try {
      // The first statement, through db.sql, waits for the migrations and the partitions.
      await db.sql.insert(analytics).values({ eventType: 'now', timestamp: new Date() });
      const now = new Date();
      const month = `analytics_y${now.getUTCFullYear()}m${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
      const rows = await db.sql.execute(sql`SELECT tableoid::regclass::text AS part FROM analytics`);
      expect([...(rows as unknown as Array<{ part: string }>)]).toEqual([{ part: month }]);
    } finally {
      await db.close();
      await database.drop();
    }
    expect(() => createPolystore({ partitions: { ensureAhead: -1 } })).toThrow(/partitions\.ensureAhead: expected an integer from 0 to 120, got -1/);
  });

  it('db.migrate() ensures again: a first operation before the tables existed does not leave the months to DEFAULT', async () => {
    const database = await serverDatabase(serverUrl!);
    const db = createPolystore({ postgres: database.url, partitions: { ensureAhead: 1 } });
    try {
      await db.sql.execute(sql`SELECT 1`);
      await db.migrate();
      const now = new Date();
      const month = `analytics_y${now.getUTCFullYear()}m${String(now.getUTCMonth() + 1).padStart(2, '0')}`;
      await db.sql.insert(analytics).values({ eventType: 'now', timestamp: now });
      const rows = await db.sql.execute(sql`SELECT tableoid::regclass::text AS part FROM analytics`);
      expect([...(rows as unknown as Array<{ part: string }>)]).toEqual([{ part: month }]);
    } finally {
      await db.close();
      await database.drop();
    }
  });
});
