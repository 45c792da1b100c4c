// Large writes go over binary COPY (from 100 rows to a server, FROM STDIN; from 10 to PGlite in-process, from its
// '/dev/blob'); everything the store promises holds there too.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPolystore, type NotesRecord, type Polystore } from './fixtures/runtime/generated/index.js';
import { serverDatabase, serverUrl } from './helpers/engines.js';
import { tcpProxy } from './helpers/tcp-proxy.js';
import { random, randomVector } from './helpers/vectors.js';
import { PolystoreError } from '../src/errors.js';

const next = random(7);
const note = (i: number): Omit<NotesRecord, 'tenantId'> => ({
  id: `n${i} ✓ "quoted" \\ ${'x'.repeat(i % 3)}`,
  title: `title ${i} \t ${String.fromCodePoint(0x1f9ea)}`,
  rank: i % 2 === 0 ? -(2 ** 31) + i : 2 ** 31 - 1 - i,
  weight: i % 5 === 0 ? null : next() * 1e6 - 5e5,
  published: i % 2 === 0,
  kind: (['memo', 'todo', 'idea'] as const)[i % 3],
  createdAt: new Date(i % 7 === 0 ? '0001-01-01T00:00:00.000Z' : i % 7 === 1 ? '9999-12-31T23:59:59.999Z' : Date.UTC(2026, 0, 1) + i * 1_234_567),
  meta: i % 4 === 0 ? null : { i, nested: { list: [1, 'two', null, true] }, text: `é ${i}` },
  embedding: randomVector(next, 8).map((x, j) => (j === 0 ? x + 2 : x * 10 ** ((j % 5) - 2))),
});

interface CopyEngine {
  name: string;
  open(logQuery: (sql: string) => void): Promise<{ db: Polystore; admin(sql: string): Promise<unknown>; close(): Promise<void> }>;
}

const copyEngines: CopyEngine[] = [
  {
    name: "PGlite in-process, COPY from '/dev/blob'",
    async open(logQuery) {
      const pglite = new PGlite({ extensions: { vector } });
      const db = createPolystore({ pglite: { client: pglite }, logQuery });
      await db.migrate();
      return { db, admin: (sql) => pglite.exec(sql), close: async () => void (await db.close(), await pglite.close()) };
    },
  },
  ...(serverUrl
    ? [{
        name: 'native server, COPY FROM STDIN',
        async open(logQuery: (sql: string) => void) {
          const database = await serverDatabase(serverUrl!);
          const db = createPolystore({ postgres: database.url, autoMigrate: true, logQuery });
          const admin = postgres(database.url, { max: 1, onnotice: () => {} });
          return { db, admin: (sql: string) => admin.unsafe(sql), close: async () => void (await db.close(), await admin.end(), await database.drop()) };
        },
      }]
    : []),
];

describe.each(copyEngines)('binary COPY writes: $name', (engine) => {
  let db: Polystore;
  let admin: (sql: string) => Promise<unknown>;
  let close: (() => Promise<void>) | undefined;
  const statements: string[] = [];
  beforeAll(async () => {
    ({ db, admin, close } = await engine.open((sql) => statements.push(sql)));
  });
  afterAll(() => close?.());

  it('writes every field kind exactly as the statement path does', async () => {
    const records = Array.from({ length: 300 }, (_, i) => note(i));
    statements.length = 0;
    await db.vectors.notes.forTenant('copy').insert(records);
    expect(statements.some((sql) => sql.startsWith('COPY "notes"'))).toBe(true);
    // The same records (ids are unique across tenants: prefixed) in calls under either threshold take the INSERT path.
    const renamed = records.map((record) => ({ ...record, id: `s-${record.id}` }));
    for (let start = 0; start < renamed.length; start += 5) await db.vectors.notes.forTenant('statements').insert(renamed.slice(start, start + 5));
    const [copied, inserted] = await Promise.all([
      db.vectors.notes.forTenant('copy').get(records.map((record) => record.id)),
      db.vectors.notes.forTenant('statements').get(renamed.map((record) => record.id)),
    ]);
    expect(copied).toEqual(inserted.map((record) => ({ ...record, id: record.id.slice(2), tenantId: 'copy' })));
    expect(copied[0].embedding).toEqual(records[0].embedding.map(Math.fround));
  });

  it('halfvec vectors go over as float16', async () => {
    const rows = Array.from({ length: 260 }, (_, i) => ({ id: `w${i}`, label: 'x', embedding: Array.from({ length: 2_048 }, (_, j) => Math.sin(i + j) * 10 ** ((j % 9) - 6)) }));
    await db.vectors.wide.insert(rows);
    const [first] = await db.vectors.wide.get(['w0']);
    const [viaStatement] = await (async () => {
      await db.vectors.wide.insert([{ ...rows[0], id: 'w-single' }]);
      return db.vectors.wide.get(['w-single']);
    })();
    expect(first.embedding).toEqual(viaStatement.embedding);
  });

  it('is all-or-nothing: a duplicate id is DUPLICATE_ID naming it, another tenant’s id on upsert is ID_CONFLICT', async () => {
    const before = await db.vectors.notes.forTenant('copy').count();
    const fresh = Array.from({ length: 260 }, (_, i) => ({ ...note(1_000 + i), id: `fresh-${i}` }));
    const existing = note(5).id;
    await expect(db.vectors.notes.forTenant('copy').insert([...fresh, { ...note(5) }])).rejects.toMatchObject({
      code: 'DUPLICATE_ID',
      message: `insert: a record with id ${JSON.stringify(existing)} already exists; nothing was written`,
    });
    await expect(db.vectors.notes.forTenant('other').upsert([...fresh, note(5)])).rejects.toMatchObject({ code: 'ID_CONFLICT' });
    expect(await db.vectors.notes.forTenant('copy').count()).toBe(before);
    expect(await db.vectors.notes.forTenant('other').count()).toBe(0);
    // An upsert within the tenant replaces its rows and adds the new ones, in one COPY.
    await db.vectors.notes.forTenant('copy').upsert([...fresh, { ...note(5), title: 'replaced' }]);
    expect(await db.vectors.notes.forTenant('copy').count()).toBe(before + 260);
    expect((await db.vectors.notes.forTenant('copy').get([existing]))[0].title).toBe('replaced');
  });

  it('keeps PostgreSQL’s own words when a COPY insert fails', async () => {
    await admin(`CREATE FUNCTION refuse_777() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.bucket = 777 THEN RAISE EXCEPTION 'bucket 777 is reserved'; END IF; RETURN NEW; END $$`);
    await admin('CREATE TRIGGER refuse_777 BEFORE INSERT ON passages FOR EACH ROW EXECUTE FUNCTION refuse_777()');
    try {
      const rows = Array.from({ length: 300 }, (_, i) => ({ id: `trig-${i}`, bucket: i === 150 ? 777 : 1, content: 'x', embedding: randomVector(next, 128) }));
      statements.length = 0;
      await expect(db.vectors.passages.insert(rows)).rejects.toMatchObject({ code: 'DATABASE_ERROR', message: 'insert: bucket 777 is reserved' });
      expect(statements.some((sql) => sql.startsWith('COPY "passages"'))).toBe(true);
      expect(await db.vectors.passages.count({ id: { in: rows.map((row) => row.id) } })).toBe(0);
    } finally {
      await admin('DROP TRIGGER refuse_777 ON passages');
    }
  });

  it('takes what the table has become through db.sql: a NOT NULL column with a default, a wider type, row-level security', async () => {
    const rows = (prefix: string, n: number, title = 'x') => Array.from({ length: n }, (_, i) => ({ ...note(i), id: `${prefix}-${i}`, title }));
    const tenant = db.vectors.notes.forTenant('altered');
    await admin('ALTER TABLE notes ALTER COLUMN title TYPE varchar(100)');
    await tenant.upsert(rows('before', 120));
    await admin('ALTER TABLE notes ALTER COLUMN title TYPE varchar(200)');
    await admin('ALTER TABLE notes ADD COLUMN inserted_at timestamptz NOT NULL DEFAULT now()');
    await tenant.upsert(rows('after', 120, 't'.repeat(150)));
    await tenant.insert(rows('inserted', 120));
    await admin('ALTER TABLE notes ENABLE ROW LEVEL SECURITY');
    await admin('ALTER TABLE notes FORCE ROW LEVEL SECURITY');
    await admin('CREATE POLICY everything ON notes USING (true) WITH CHECK (true)');
    statements.length = 0;
    // COPY FROM is refused on a table with row-level security: the insert runs again as statements.
    await tenant.insert(rows('secured', 120));
    expect(statements.some((sql) => sql.startsWith('COPY "notes"'))).toBe(true);
    expect(await tenant.count()).toBe(480);
    expect((await tenant.get(['after-7']))[0].title).toHaveLength(150);
    await admin('DROP POLICY everything ON notes; ALTER TABLE notes DISABLE ROW LEVEL SECURITY; ALTER TABLE notes DROP COLUMN inserted_at');
  });
});

describe("binary COPY on PGlite opened as a role that may not read server files (PGlite's COPY reads '/dev/blob' as one)", () => {
  it('writes as statements instead', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'polystore-role-'));
    const admin = new PGlite({ dataDir, extensions: { vector } });
    await admin.exec('CREATE ROLE app LOGIN; GRANT ALL ON SCHEMA public TO app; GRANT CREATE, TEMP ON DATABASE postgres TO app; CREATE EXTENSION vector');
    await admin.close();
    const client = new PGlite({ dataDir, username: 'app', extensions: { vector } });
    const statements: string[] = [];
    const db = createPolystore({ pglite: { client }, logQuery: (sql) => statements.push(sql) });
    try {
      await db.migrate();
      const rows = Array.from({ length: 40 }, (_, i) => ({ id: `r${i}`, bucket: i, content: 'c', embedding: randomVector(next, 128) }));
      await db.vectors.passages.insert(rows.slice(0, 20));
      await db.vectors.passages.upsert(rows);
      expect(await db.vectors.passages.count()).toBe(40);
      expect(statements.some((sql) => sql.startsWith('COPY'))).toBe(false);
    } finally {
      await db.close();
      await client.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(!serverUrl)('binary COPY on the native server', () => {
  let db: Polystore;
  let database: Awaited<ReturnType<typeof serverDatabase>>;
  beforeAll(async () => {
    database = await serverDatabase(serverUrl!);
    db = createPolystore({ postgres: database.url });
    await db.migrate();
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('a connection cut in the middle of a COPY is a typed error, at once, and nothing is written', async () => {
    const proxy = await tcpProxy(new URL(database.url).host);
    const url = new URL(database.url);
    url.host = proxy.address;
    const cut = createPolystore({ postgres: { url: url.href, max: 1 } });
    try {
      await cut.vectors.passages.count();
      const rows = Array.from({ length: 5_000 }, (_, i) => ({ id: `cut-${i}`, bucket: i % 7, content: 'x'.repeat(200), embedding: randomVector(next, 128) }));
      proxy.cutAfter(1_000_000);
      const error = await cut.vectors.passages.insert(rows).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PolystoreError);
      expect(await db.vectors.passages.count({ id: { in: rows.slice(0, 100).map((row) => row.id) } })).toBe(0);
    } finally {
      await cut.close();
      await proxy.close();
    }
  });

  it('reads the same whatever the database’s DateStyle', async () => {
    const admin = postgres(database.url, { max: 1, onnotice: () => {} });
    try {
      // A database whose sessions default to day-first dates and short floats: polystore's own sessions set theirs.
      await admin.unsafe(`ALTER DATABASE ${new URL(database.url).pathname.slice(1)} SET DateStyle = 'SQL, DMY'`);
      await admin.unsafe(`ALTER DATABASE ${new URL(database.url).pathname.slice(1)} SET extra_float_digits = -15`);
      const fresh = createPolystore({ postgres: database.url });
      try {
        const record = { ...note(1), id: 'datestyle', createdAt: new Date('2024-03-05T13:14:15.678Z'), weight: 1 / 3 };
        await fresh.vectors.notes.forTenant('copy').insert([record]);
        expect(await fresh.vectors.notes.forTenant('copy').get(['datestyle'])).toMatchObject([{ createdAt: record.createdAt, weight: 1 / 3 }]);
        // -0 keeps its sign on both write paths.
        await fresh.vectors.notes.forTenant('copy').upsert([{ ...record, weight: -0 }]);
        expect(Object.is((await fresh.vectors.notes.forTenant('copy').get(['datestyle']))[0].weight, -0)).toBe(true);
      } finally {
        await fresh.close();
      }
    } finally {
      await admin.end();
    }
  });
});
