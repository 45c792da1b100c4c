// The documents' collections and indexes applied by `migrate`, on a MongoDB-wire server: FerretDB v1 on SQLite
// (scripts/ferretdb-server.sh; .ci/run starts it). FerretDB has no text or TTL indexes: `migrate` reports those
// as refused by the server, with its words, and applies the rest.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MongoClient, ObjectId, Long, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolystoreError } from '../src/errors.js';
import { document, defineSchema, f } from '../src/index.js';
import { migrateDocuments } from '../src/operations/document-indexes.js';
import { documentIndexes } from '../generator/parse/document-indexes.js';
import { parseSchema } from '../generator/parse/index.js';
import smallSchema from './fixtures/small-schema.js';
import { createPolystore, mongoCollections, type Polystore } from '../generated/index.js';
import { polystore, scratchDir } from './helpers/cli.js';

const url = process.env.POLYSTORE_TEST_MONGODB_WIRE_URL;
if (!url && process.env.CI) throw new Error('CI runs the document suite on FerretDB: set POLYSTORE_TEST_MONGODB_WIRE_URL (.ci/run starts it)');
let databases = 0;

/** A database of its own on the server, and the schema's facade (on an in-memory PGlite) migrating into it. */
async function fresh(): Promise<{ db: Polystore; mongo: Db; close(): Promise<void> }> {
  const target = new URL(url!);
  target.pathname = `/polystore_docs_${process.pid}_${++databases}`;
  const client = await new MongoClient(target.href).connect();
  const db = createPolystore({ mongodb: { url: target.href } });
  return {
    db,
    mongo: client.db(),
    async close() {
      await db.close();
      await client.db().dropDatabase();
      await client.close();
    },
  };
}

const TEXT_INDEX = 'files_originalName_metadata_extractedText_idx';

describe.skipIf(!url)('documents on a MongoDB-wire server (FerretDB)', () => {
  let store: Awaited<ReturnType<typeof fresh>>;
  beforeAll(async () => {
    store = await fresh();
  });
  afterAll(() => store?.close());

  it("creates every collection and index of schema/, named as the Prisma schema names them; a second run changes nothing", async () => {
    const before = await store.db.migrationStatus();
    expect(before.documents.map((state) => [state.collection, state.state])).toEqual(mongoCollections.map((spec) => [spec.collection, 'missing']));
    const first = await store.db.migrate();
    for (const spec of mongoCollections) {
      const result = first.documents.find((documents) => documents.collection === spec.collection)!;
      const live = await store.mongo.collection(spec.collection).listIndexes().toArray();
      for (const index of spec.indexes) {
        if (index.name === TEXT_INDEX) continue;
        expect(result.created).toContain(index.name);
        const found = live.find((candidate) => candidate.name === index.name);
        expect(found, `${spec.collection}.${index.name}`).toBeDefined();
        expect(Object.entries(found!.key)).toEqual(index.key);
        expect(found!.unique ?? false).toBe(index.unique ?? false);
      }
    }
    expect(first.documents.flatMap((documents) => documents.refused.map((refused) => refused.index))).toEqual([TEXT_INDEX]);
    const second = await store.db.migrate();
    expect(second.documents.flatMap((documents) => [...documents.created, ...documents.replaced])).toEqual([]);
    const status = await store.db.migrationStatus();
    expect(status.documents.filter((state) => state.state !== 'present').map((state) => [state.collection, state.missing])).toEqual([['files', [TEXT_INDEX]]]);
  });

  it('enforces the unique email: a duplicate is refused with code 11000', async () => {
    const users = store.mongo.collection('users');
    await users.insertOne({ username: 'ada', email: 'ada@example.com', passwordHash: 'x' });
    await expect(users.insertOne({ username: 'ada2', email: 'ada@example.com', passwordHash: 'y' })).rejects.toMatchObject({ code: 11000 });
  });

  it('reports an index changed by hand as drift, refuses to migrate over it, and replaces it with force', async () => {
    const users = store.mongo.collection('users');
    await users.dropIndex('users_team_idx');
    await users.createIndex({ team: -1 }, { name: 'users_team_idx' });
    const status = await store.db.migrationStatus();
    expect(status.status).toBe('drifted');
    expect(status.documents.find((state) => state.collection === 'users')!.drifted).toEqual([{ index: 'users_team_idx', expected: '["team:1"]', found: '["team:-1"]' }]);
    const refused = await store.db.migrate().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(PolystoreError);
    expect(refused).toMatchObject({ code: 'SCHEMA_MISMATCH', message: expect.stringContaining('users.users_team_idx: the schema says ["team:1"], MongoDB has ["team:-1"]') });
    expect((await users.listIndexes().toArray()).find((index) => index.name === 'users_team_idx')!.key).toEqual({ team: -1 });
    const forced = await store.db.migrate({ force: true });
    expect(forced.documents.find((documents) => documents.collection === 'users')!.replaced).toEqual(['users_team_idx']);
    expect((await users.listIndexes().toArray()).find((index) => index.name === 'users_team_idx')!.key).toEqual({ team: 1 });
  });

  it('keeps the index as it was when its replacement cannot be built', async () => {
    const users = store.mongo.collection('users');
    await users.dropIndex('users_team_idx');
    await users.createIndex({ team: -1 }, { name: 'users_team_idx' });
    // The schema's key taken by an index of another name: MongoDB refuses the replacement (code 85).
    await users.createIndex({ team: 1 }, { name: 'by_team' });
    const forced = await store.db.migrate({ force: true });
    expect(forced.documents.find((documents) => documents.collection === 'users')!.refused).toEqual([
      { index: 'users_team_idx', reason: expect.stringContaining('(the index as it was is kept)') },
    ]);
    expect((await users.listIndexes().toArray()).find((index) => index.name === 'users_team_idx')!.key).toEqual({ team: -1 });
    await users.dropIndex('by_team');
    await store.db.migrate({ force: true });
    expect((await users.listIndexes().toArray()).find((index) => index.name === 'users_team_idx')!.key).toEqual({ team: 1 });
  });

  it('several facades migrating one empty database at once all succeed, and build each index once', async () => {
    const target = new URL(url!);
    target.pathname = `/polystore_race_${process.pid}`;
    const facades = [1, 2, 3, 4].map(() => createPolystore({ mongodb: { url: target.href } }));
    const client = await new MongoClient(target.href).connect();
    try {
      const results = await Promise.all(facades.map((db) => db.migrate()));
      expect(results).toHaveLength(4);
      const users = (await client.db().collection('users').listIndexes().toArray()).map((index) => index.name).sort();
      expect(users).toEqual(['_id_', 'users_email_key', 'users_team_idx', 'users_username_key']);
    } finally {
      await Promise.all(facades.map((db) => db.close()));
      await client.db().dropDatabase();
      await client.close();
    }
  });

  it('reports an index the schema does not have, and never drops it', async () => {
    await store.mongo.collection('chats').createIndex({ title: 1 }, { name: 'chats_by_title' });
    const status = await store.db.migrationStatus();
    expect(status.documents.find((state) => state.collection === 'chats')!.extra).toEqual(['chats_by_title ["title:1"]']);
    await store.db.migrate();
    expect((await store.mongo.collection('chats').listIndexes().toArray()).map((index) => index.name)).toContain('chats_by_title');
  });

  it('refuses a unique index over duplicates with DUPLICATE_KEYS naming the collection, the index and a key, and changes nothing', async () => {
    const users = store.mongo.collection('users');
    await users.dropIndex('users_username_key');
    await users.insertMany([
      { username: 'twin', email: 'twin1@example.com', passwordHash: 'x' },
      { username: 'twin', email: 'twin2@example.com', passwordHash: 'x' },
    ]);
    const before = (await users.listIndexes().toArray()).map((index) => index.name).sort();
    const error = await store.db.migrate().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DUPLICATE_KEYS', message: 'users: the unique index users_username_key cannot be built: 2 documents have {"username":"twin"}; nothing was changed' });
    expect((await users.listIndexes().toArray()).map((index) => index.name).sort()).toEqual(before);
  });

  it('round-trips documents of the generated types through the driver: embedded objects, enum arrays, ObjectId references, 64-bit integers, dates', async () => {
    const team = new ObjectId();
    const user = {
      username: 'grace',
      email: 'grace@example.com',
      passwordHash: 'h',
      timezone: 'UTC',
      language: 'en',
      status: 'active',
      team,
      roles: ['admin', 'user'],
      permissions: [{ name: 'edit', resource: 'apps', actions: ['read', 'write'] }],
      lastLoginAt: new Date('2026-11-25T10:11:12.345Z'),
      settings: { notifications: { email: true, push: false, inApp: true }, privacy: { profileVisible: true, activityVisible: false }, ui: { theme: 'dark', language: 'en' } },
      tokens: Long.fromString('9007199254740993'),
    };
    const { insertedId } = await store.mongo.collection('users').insertOne({ ...user });
    const read = await store.mongo.collection('users').findOne({ _id: insertedId }, { promoteLongs: false });
    expect(read).toEqual({ _id: insertedId, ...user });
    expect((read!.tokens as Long).toString()).toBe('9007199254740993');
  });

  it('reports MongoDB in db.health(): ping latency and the server version', async () => {
    const report = await store.db.health();
    expect(report.stores.mongodb).toMatchObject({ status: 'up', details: { version: expect.stringMatching(/^\d+\.\d+/) } });
    expect(report.stores.mongodb.latencyMs).toBeGreaterThanOrEqual(0);
  });
});

describe.skipIf(!url)('documents of the small fixture (FerretDB): a compound unique key with a descending part, a TTL index', () => {
  it('creates them as named, reports the TTL and text indexes the server refuses, and enforces the compound key', async () => {
    const ir = parseSchema(
      defineSchema({
        ...smallSchema,
        documents: { ...smallSchema.documents, Session: document({ fields: { token: f.string().unique(), expiresAt: f.datetime() }, indexes: [{ fields: ['expiresAt'], expireAfterSeconds: 3_600 }] }) },
      }),
    );
    const specs = ir.documents.map((doc) => ({ model: doc.name, collection: doc.collection ?? doc.name, indexes: documentIndexes(doc).map(({ origin: _, ...index }) => index) }));
    const target = new URL(url!);
    target.pathname = `/polystore_small_${process.pid}`;
    const client = await new MongoClient(target.href).connect();
    try {
      const result = await migrateDocuments(client.db(), specs, false);
      expect(result).toEqual([
        { collection: 'Author', created: ['Author_name_key'], replaced: [], refused: [] },
        { collection: 'posts', created: ['posts_author_createdAt_key'], replaced: [], refused: [{ index: 'posts_title_idx', reason: expect.any(String) }] },
        { collection: 'Session', created: ['Session_token_key'], replaced: [], refused: [{ index: 'Session_expiresAt_ttl', reason: expect.stringContaining('expireAfterSeconds') }] },
      ]);
      const posts = client.db().collection('posts');
      expect((await posts.listIndexes().toArray()).find((index) => index.name === 'posts_author_createdAt_key')).toMatchObject({ key: { author: 1, createdAt: -1 }, unique: true });
      const author = new ObjectId();
      const createdAt = new Date('2026-01-02T03:04:05.000Z');
      await posts.insertOne({ author, createdAt, title: 'a' });
      await posts.insertOne({ author, createdAt: new Date('2026-01-03T00:00:00.000Z'), title: 'b' });
      await expect(posts.insertOne({ author, createdAt, title: 'c' })).rejects.toMatchObject({ code: 11000 });
    } finally {
      await client.db().dropDatabase();
      await client.close();
    }
  });
});

describe.skipIf(!url)('polystore migrate for the documents, from the command line (FerretDB)', () => {
  it('dry run, migrate (failing on the index the server refuses, after doing the rest), status, and a second run that changes nothing', () => {
    const target = new URL(url!);
    target.pathname = `/polystore_cli_${process.pid}`;
    const flags = ['--pglite-dir', scratchDir(), '--mongodb', target.href];
    try {
      const dry = polystore(['migrate', '--dry-run', ...flags]);
      expect(dry.stdout).toContain('// mongodb: create collection "users"');
      expect(dry.stdout).toContain('// mongodb: create index users_email_key on "users"');
      const first = polystore(['migrate', ...flags]);
      expect(first.stdout).toContain('mongodb: users created users_username_key, created users_email_key, created users_team_idx');
      expect(first.stderr).toContain(`mongodb: the server refused files.${TEXT_INDEX}:`);
      expect(first.status).toBe(1);
      const status = polystore(['migrate', 'status', ...flags]);
      expect(status.stdout).toContain('mongodb  present  users');
      expect(status.stdout).toContain(`mongodb  pending  files: missing ${TEXT_INDEX}`);
      expect(status.status).toBe(1);
      const second = polystore(['migrate', ...flags]);
      expect(second.stdout).toContain('mongodb: users unchanged');
    } finally {
      void new MongoClient(target.href).connect().then(async (client) => {
        await client.db().dropDatabase();
        await client.close();
      });
    }
  });
});

describe.skipIf(!url)('a schema of documents only (FerretDB)', () => {
  it('generates and migrates: there are no tables, and no PostgreSQL migrations', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'schema.ts'), "import { defineSchema, document, f } from 'polystore';\nexport default defineSchema({ documents: { Note: document({ collection: 'notes', fields: { title: f.string().unique() } }) } });\n");
    expect(polystore(['generate', '--schema', join(dir, 'schema.ts'), '--out', dir, '--no-prisma-client']).status).toBe(0);
    const target = new URL(url!);
    target.pathname = `/polystore_docs_only_${process.pid}`;
    const migrated = polystore(['migrate', '--out', dir, '--pglite-dir', join(dir, 'pglite'), '--mongodb', target.href]);
    expect(migrated.stderr).toBe('');
    expect(migrated.stdout).toContain('postgres: nothing to apply');
    expect(migrated.stdout).toContain('mongodb: notes created notes_title_key');
    expect(migrated.status).toBe(0);
    void new MongoClient(target.href).connect().then(async (client) => {
      await client.db().dropDatabase();
      await client.close();
    });
  });
});

describe('the MongoDB URL', () => {
  it('must name its database: the driver would fall back on "test", where Prisma never reads', () => {
    expect(() => createPolystore({ mongodb: { url: 'mongodb://127.0.0.1:27017' } })).toThrowError(/mongodb\.url: expected a mongodb:\/\/ or mongodb\+srv:\/\/ URL naming its database/);
    expect(() => createPolystore({ mongodb: { url: 'http://127.0.0.1/app' } })).toThrowError(/mongodb\.url/);
  });
});

describe('a MongoDB that cannot be reached', () => {
  it('is MONGODB_UNAVAILABLE from migrate, and down in health, within the timeout', async () => {
    const db = createPolystore({ mongodb: { url: 'mongodb://127.0.0.1:9/unreachable?serverSelectionTimeoutMS=500' } });
    try {
      await expect(db.migrate()).rejects.toMatchObject({ code: 'MONGODB_UNAVAILABLE' });
      const report = await db.health({ timeoutMs: 3_000 });
      expect(report.stores.mongodb.status).toBe('down');
    } finally {
      await db.close();
    }
    // After close, health opens no new client (which nothing would close): MongoDB is reported closed.
    expect((await db.health()).stores.mongodb).toMatchObject({ status: 'down', error: expect.stringContaining('closed') });
  }, 30_000);
});
