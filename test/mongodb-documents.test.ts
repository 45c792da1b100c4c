// The documents' collections and indexes applied by `migrate`, on a MongoDB-wire server: FerretDB v1 on SQLite
// (scripts/ferretdb-server.sh; .ci/run starts it). FerretDB has no text or TTL indexes: `migrate` reports those
// as refused by the server, with its words, and applies the rest.
import { MongoClient, ObjectId, Long, type Db } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolystoreError } from '../src/errors.js';
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
  }, 30_000);
});
