/**
 * The cascade of `db.documents()` deletes on the real stores: FerretDB and the native PostgreSQL + pgvector (behind
 * a TCP proxy, to take it down mid-cascade). Prisma's engine cannot run here (README): the application's client is
 * the driver-backed stand-in of helpers/driver-prisma.ts, extended by the facade exactly as Prisma's would be.
 */
import { MongoClient, ObjectId } from 'mongodb';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { driverPrismaClient } from './helpers/driver-prisma.js';
import { serverDatabase, serverUrl } from './helpers/engines.js';
import { type LinkedFacade, linkedFacade, linkedProject, pieceVector } from './helpers/linked-project.js';
import { tcpProxy } from './helpers/tcp-proxy.js';

const wireUrl = process.env.POLYSTORE_TEST_MONGODB_WIRE_URL;

type Passages = { passage: { deleteMany(args: object): Promise<{ count: number }>; delete(args: object): Promise<unknown>; findMany(args: object): Promise<unknown[]> } };

describe.runIf(serverUrl && wireUrl)('the cascade of document deletes: PostgreSQL server and FerretDB', () => {
  let database: { url: string; drop(): Promise<void> };
  let proxy: Awaited<ReturnType<typeof tcpProxy>>;
  let mongo: MongoClient;
  let mongoUrl: string;
  let sql: postgres.Sql;
  let db: LinkedFacade & { documents(client: unknown): Promise<Passages>; health(): Promise<{ stores: Record<string, { status: string; details?: Record<string, unknown> }> }> };
  const passages: Array<{ _id: ObjectId; teamId: string }> = [];
  beforeAll(async () => {
    database = await serverDatabase(serverUrl!);
    proxy = await tcpProxy(new URL(database.url).host);
    const url = new URL(wireUrl!);
    url.pathname = `/cascade_${process.pid}`;
    mongoUrl = url.href;
    mongo = await new MongoClient(mongoUrl).connect();
    await mongo.db().dropDatabase();
    sql = postgres(database.url, { max: 1, onnotice: () => {} });
    const proxied = new URL(database.url);
    proxied.host = proxy.address;
    db = (await linkedFacade(linkedProject('pgvector'), { postgres: { url: proxied.href, max: 2 }, mongodb: { url: mongoUrl } })) as typeof db;
    await db.migrate();
    for (let i = 0; i < 200; i++) passages.push({ _id: new ObjectId(), teamId: `team${i % 2}` });
    await mongo.db().collection('passages').insertMany(passages.map((passage, i) => ({ ...passage, text: `passage ${i}`, pieceIds: [] })));
    for (const team of ['team0', 'team1']) {
      const pieces = passages.flatMap((passage, i) => (passage.teamId === team ? Array.from({ length: 5 }, (_, k) => ({ id: `p${i}-${k}`, passageId: passage._id.toHexString(), n: k, embedding: pieceVector(i * 5 + k) })) : []));
      await db.vectors.pieces.forTenant(team).insert(pieces);
    }
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
    await sql?.end();
    await database?.drop();
    await mongo?.db().dropDatabase();
    await mongo?.close();
  });
  const linkedTo = async (ids: ObjectId[]) => (await sql`select count(*)::int as n from pieces where passage_id in ${sql(ids.map((id) => id.toHexString()))}`)[0].n as number;
  const outbox = () => mongo.db().collection('polystore_outbox').find({}).toArray();

  it('deletes the vectors of the documents a delete removes, within their tenant, and only theirs', async () => {
    const documents = await db.documents(driverPrismaClient(mongoUrl));
    const gone = passages.slice(0, 20).map((passage) => passage._id);
    expect(await documents.passage.deleteMany({ where: { id: { in: gone.map(String) } } })).toEqual({ count: 20 });
    expect(await linkedTo(gone)).toBe(0);
    expect(await db.vectors.pieces.forTenant('team0').count()).toBe(500 - 50);
    expect(await db.vectors.pieces.forTenant('team1').count()).toBe(500 - 50);
    // A filter of Prisma's, not only ids; and the single delete.
    expect(await documents.passage.deleteMany({ where: { AND: [{ teamId: 'team1' }, { id: { in: passages.slice(20, 30).map((passage) => String(passage._id)) } }] } })).toEqual({ count: 5 });
    await documents.passage.delete({ where: { id: String(passages[20]._id) } });
    const removed = [passages[20], ...passages.slice(20, 30).filter((passage) => passage.teamId === 'team1')].map((passage) => passage._id);
    expect(await linkedTo(removed)).toBe(0);
    expect(await linkedTo(passages.slice(22, 30).filter((passage) => passage.teamId === 'team0').map((passage) => passage._id))).toBe(20);
    expect(await outbox()).toEqual([]);
    // A delete that matches nothing, and one of another model or operation, pass through untouched.
    expect(await documents.passage.deleteMany({ where: { teamId: 'nobody' } })).toEqual({ count: 0 });
    expect(await documents.passage.findMany({ where: { teamId: 'team0' } })).toHaveLength(100 - 10 - 1);
  });

  it('keeps the ids in the outbox when the vector store is down, and delivers them when it is back', async () => {
    const documents = await db.documents(driverPrismaClient(mongoUrl));
    const gone = passages.slice(40, 50).map((passage) => passage._id);
    proxy.state.down = true;
    proxy.cutAfter(0, { stayDown: true });
    // The documents are deleted; the vectors' delete failed and is kept, with its error.
    expect(await documents.passage.deleteMany({ where: { id: { in: gone.map(String) } } })).toEqual({ count: 10 });
    const [entry] = await outbox();
    expect(entry).toMatchObject({ model: 'Passage', attempts: 1, lastError: expect.any(String) });
    expect(entry.documents.map((document: { id: string }) => document.id).sort()).toEqual(gone.map(String).sort());
    expect(await linkedTo(gone)).toBe(50);
    const health = await db.health();
    expect(health.stores.mongodb).toMatchObject({ status: 'degraded', details: { outbox: { pending: 1, failed: 1 } } });

    // Back: the next check delivers the outbox first, and finds no orphan.
    proxy.state.down = false;
    expect(await db.integrity.check()).toMatchObject([{ orphans: 0 }]);
    expect(await linkedTo(gone)).toBe(0);
    expect(await outbox()).toEqual([]);
    expect((await db.health()).stores.mongodb.status).toBe('up');
  });

  it('never deletes the vectors of a document that still lives, whatever the outbox says', async () => {
    const living = passages[60];
    // An entry whose delete did not happen (the process died before it, or the delete failed).
    await mongo.db().collection('polystore_outbox').insertOne({ model: 'Passage', documents: [{ id: living._id.toHexString(), tenants: { teamId: living.teamId } }], createdAt: new Date(), attempts: 0 });
    expect(await db.integrity.check()).toMatchObject([{ orphans: 0 }]);
    expect(await linkedTo([living._id])).toBe(5);
    expect(await outbox()).toEqual([]);
  });

  it('delivers what is left at close()', async () => {
    const documents = await db.documents(driverPrismaClient(mongoUrl));
    const gone = passages.slice(70, 75).map((passage) => passage._id);
    proxy.state.down = true;
    proxy.cutAfter(0, { stayDown: true });
    await documents.passage.deleteMany({ where: { id: { in: gone.map(String) } } });
    expect(await outbox()).toHaveLength(1);
    proxy.state.down = false;
    await db.close();
    await db.close();
    expect(await linkedTo(gone)).toBe(0);
    expect(await outbox()).toEqual([]);
  });
});
