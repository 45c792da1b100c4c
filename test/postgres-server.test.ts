import { desc, eq, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analytics, invoices } from './fixtures/relational/drizzle/schema.js';
import { createPolystore, type Polystore } from './fixtures/relational/generated/index.js';
import { serverDatabase, serverUrl } from './helpers/engines.js';

// The relational and analytics tables on the native PostgreSQL server (`.ci/run` starts it with
// scripts/pgvector-server.sh), in a database of their own. Without POLYSTORE_TEST_PGVECTOR_URL (outside CI) these
// report as skipped.
describe.skipIf(!serverUrl)('relational and partitioned tables on a real PostgreSQL server', () => {
  let db: Polystore;
  let admin: postgres.Sql;
  let database: Awaited<ReturnType<typeof serverDatabase>>;

  beforeAll(async () => {
    database = await serverDatabase(serverUrl!);
    admin = postgres(database.url, { max: 1, onnotice: () => {} });
    db = createPolystore({ postgres: { url: database.url, max: 4, idleTimeoutSeconds: 5, connectTimeoutSeconds: 5 } });
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    await admin?.end();
    await database?.drop();
  });

  it('applies the migrations with drizzle-orm’s migrator, once', async () => {
    await db.migrate();
    const [{ n }] = await admin<{ n: number }[]>`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`;
    expect(n).toBe(1);
    const [{ server_version: version }] = await admin<{ server_version: string }[]>`SHOW server_version`;
    expect(version).toMatch(/^1[5-9]\.\d+/);
  });

  it('routes analytics rows to monthly partitions and the DEFAULT one', async () => {
    await db.sql.insert(analytics).values([
      { eventType: 'chat', timestamp: new Date('2026-01-15T00:00:00Z'), eventData: { tokens: 12 }, ipAddress: '10.0.0.1' },
      { eventType: 'chat', timestamp: new Date('2026-03-31T23:59:59Z'), userId: 'u1' },
      { eventType: "it's 'quoted'", timestamp: new Date('2027-06-01T00:00:00Z'), userId: 'u1' },
    ]);
    const rows = await admin<{ event_type: string; part: string }[]>`SELECT event_type, tableoid::regclass::text AS part FROM analytics ORDER BY "timestamp"`;
    expect(rows.map((row) => row.part)).toEqual(['analytics_y2026m01', 'analytics_y2026m03', 'analytics_default']);
    const latest = await db.sql.select().from(analytics).where(eq(analytics.userId, 'u1')).orderBy(desc(analytics.timestamp)).limit(1);
    expect(latest[0]).toMatchObject({ eventType: "it's 'quoted'", userId: 'u1' });
  });

  it('creates the BRIN, GIN, composite and partial indexes', async () => {
    const indexes = await admin<{ indexname: string; indexdef: string }[]>`
      SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN ('analytics', 'invoices') ORDER BY indexname`;
    const defs = Object.fromEntries(indexes.map((row) => [row.indexname, row.indexdef]));
    expect(defs.analytics_timestamp_brin).toContain('USING brin ("timestamp")');
    expect(defs.analytics_event_data_gin).toContain('USING gin (event_data)');
    expect(defs.analytics_event_type_timestamp_idx).toContain('(event_type, "timestamp" DESC NULLS LAST)');
    expect(defs.invoices_status_idx).toContain("WHERE (status = 'open'::text)");
    expect(defs.invoices_paid_at_idx).toContain('WHERE (paid_at IS NOT NULL)');
  });

  it('keeps constraints: a unique invoice number, defaults filled in', async () => {
    const [created] = await db.sql.insert(invoices).values({ number: 'INV-1', total: '10.50' }).returning();
    expect(created).toMatchObject({ status: 'open', total: '10.50', paidAt: null });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    await expect(db.sql.insert(invoices).values({ number: 'INV-1', total: '1.00' })).rejects.toThrow();
    const [{ open }] = await db.sql.select({ open: sql<number>`count(*)::int` }).from(invoices).where(eq(invoices.status, 'open'));
    expect(open).toBe(1);
  });
});
