// Monthly partitions kept ahead, on the native PostgreSQL server (the relational fixture's `analytics`, partitioned
// by month from 2026-01 for three months, with a DEFAULT partition): facade and CLI.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
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
    expect(await db.partitions.ensure({ ahead: 2, now: NOW, dryRun: true })).toMatchObject([
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
    const created = await db.partitions.ensure({ ahead: 2, now: NOW });
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
    expect(await db.partitions.ensure({ ahead: 2, now: NOW })).toEqual([]);
  });

  it('refuses a bad `ahead` with a typed error; the CLI does the same work and names its flag', async () => {
    await expect(db.partitions.ensure({ ahead: -1 })).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['ahead'] }] });
    await expect(db.partitions.ensure({ ahead: 1.5 })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const cli = (...args: string[]) => run(process.execPath, ['bin/polystore.js', 'partitions', 'ensure', ...args], { env: { ...process.env, POLYSTORE_POSTGRES_URL: database.url } });
    const dry = await cli('--ahead', '4', '--dry-run');
    expect(dry.stdout).toMatch(/would create analytics_y\d{4}m\d\d of analytics/);
    const bad = await cli('--ahead', '-2').then(() => 'exit 0', (error: { code: number; stderr: string }) => `exit ${error.code}: ${error.stderr.trim()}`);
    expect(bad).toMatch(/^exit 1: error: option '--ahead <n>' argument '-2' is invalid/);
  });
});
