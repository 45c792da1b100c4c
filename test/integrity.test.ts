/**
 * Documents and their vectors across stores, on the real engines: FerretDB (MongoDB's wire protocol) through the
 * `mongodb` driver, the native PostgreSQL + pgvector, and Milvus Lite. 10,000 vectors linked to 2,000 passages;
 * passages deleted behind polystore's back; `check` finds exactly their vectors, `sweep` deletes exactly those
 * past the grace period, resumes after SIGKILL, and two sweeps at once delete nothing twice.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, MongoClient, ObjectId } from 'mongodb';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { polystore, polystoreAsync } from './helpers/cli.js';
import { driverPrismaClient } from './helpers/driver-prisma.js';
import { serverDatabase, serverUrl } from './helpers/engines.js';
import { type LinkedFacade, linkedFacade, linkedProject, pieceVector } from './helpers/linked-project.js';

const wireUrl = process.env.POLYSTORE_TEST_MONGODB_WIRE_URL;
if (!wireUrl && process.env.CI) throw new Error('CI runs the integrity suite on FerretDB: set POLYSTORE_TEST_MONGODB_WIRE_URL (.ci/run starts it)');
let databases = 0;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A MongoDB database of the test's own on FerretDB, dropped after. */
async function mongoDatabase() {
  const url = new URL(wireUrl!);
  url.pathname = `/integrity_${process.pid}_${++databases}`;
  const client = await new MongoClient(url.href).connect();
  return { url: url.href, db: client.db(), close: async () => (await client.db().dropDatabase(), await client.close()) };
}

/** `docs` passages of two teams, each with `per` pieces: the passages in MongoDB, their vectors through the facade. */
async function seed(db: LinkedFacade, mongo: Db, docs: number, per: number) {
  const passages = Array.from({ length: docs }, (_, i) => ({ _id: new ObjectId(), teamId: `team${i % 2}`, text: `passage ${i}`, pieceIds: Array.from({ length: per }, (_, k) => `p${i}-${k}`) }));
  for (let start = 0; start < docs; start += 1_000) await mongo.collection('passages').insertMany(passages.slice(start, start + 1_000));
  for (const team of ['team0', 'team1']) {
    const pieces = passages.filter((passage) => passage.teamId === team).flatMap((passage, i) => passage.pieceIds.map((id, k) => ({ id, passageId: passage._id.toHexString(), n: i * per + k, embedding: pieceVector(i * per + k) })));
    for (let start = 0; start < pieces.length; start += 1_000) await db.vectors.pieces.forTenant(team).insert(pieces.slice(start, start + 1_000));
  }
  return passages;
}

describe.runIf(serverUrl && wireUrl)('integrity of linked vectors: PostgreSQL server and FerretDB', () => {
  let project: string;
  let database: { url: string; drop(): Promise<void> };
  let mongo: Awaited<ReturnType<typeof mongoDatabase>>;
  let sql: postgres.Sql;
  let db: LinkedFacade;
  beforeAll(async () => {
    project = linkedProject('pgvector');
    database = await serverDatabase(serverUrl!);
    mongo = await mongoDatabase();
    sql = postgres(database.url, { max: 1, onnotice: () => {} });
    db = await linkedFacade(project, { postgres: { url: database.url, max: 3 }, mongodb: { url: mongo.url } });
    await db.migrate();
  }, 120_000);
  afterAll(async () => {
    await db?.close();
    await sql?.end();
    await database?.drop();
    await mongo?.close();
  });
  const cli = (args: string[]) => ['integrity', 'check', '--postgres', database.url, '--mongodb', mongo.url, ...args];

  it('finds exactly the vectors of deleted passages, sweeps exactly those past the grace, resumes after SIGKILL, and runs two sweeps at once', async () => {
    const passages = await seed(db, mongo.db, 2_000, 5);
    const team0 = db.vectors.pieces.forTenant('team0');
    const team1 = db.vectors.pieces.forTenant('team1');

    // Written through polystore, a link must be a document id: typed errors, nothing written.
    for (const passageId of ['not-an-objectid', 'A'.repeat(24), 'x'.repeat(255), '']) {
      await expect(team0.insert([{ id: 'bad', passageId, n: 0, embedding: pieceVector(0) }])).rejects.toMatchObject({ code: 'INVALID_VALUE', issues: [{ path: ['records', 0, 'passageId'] }] });
    }
    expect(await team0.count()).toBe(5_000);

    // Behind polystore's back: 500 of team0's passages deleted with the driver, 100 pieces of living passages with SQL,
    // a link that names no document, and ten team1 pieces linked to team0's passages.
    const deleted = passages.filter((passage) => passage.teamId === 'team0').slice(0, 500);
    await mongo.db.collection('passages').deleteMany({ _id: { $in: deleted.map((passage) => passage._id) } });
    const living = passages.filter((passage) => passage.teamId === 'team1').slice(0, 100);
    await sql`delete from pieces where id in ${sql(living.map((passage) => passage.pieceIds[0]))}`;
    await sql`insert into pieces (id, team_id, passage_id, n, embedding) values ('hostile', 'team0', 'zzzzzzzzzzzzzzzzzzzzzzzz', 0, ${`[${pieceVector(1).join(',')}]`})`;
    const borrowed = passages.filter((passage) => passage.teamId === 'team0').slice(600, 610);
    await team1.insert(borrowed.map((passage, i) => ({ id: `cross${i}`, passageId: passage._id.toHexString(), n: i, embedding: pieceVector(i) })));
    // All that was written an hour and more ago (the clock set back in the table); then a write in flight: its pieces
    // are there, its passage not yet, and the grace period keeps them.
    await sql`update pieces set written_at = written_at - interval '2 hours'`;
    await team1.insert(Array.from({ length: 20 }, (_, i) => ({ id: `fresh${i}`, passageId: new ObjectId().toHexString(), n: i, embedding: pieceVector(i) })));

    // A document whose _id is no ObjectId (written behind Prisma's back): not the model's, and no end to the paging.
    await mongo.db.collection<{ _id: string; pieceIds: string[] }>('passages').insertOne({ _id: 'legacy', pieceIds: ['nowhere'] });

    const [report] = await db.integrity.check();
    expect(report).toMatchObject({
      collection: 'pieces',
      scanned: 10_000 - 100 + 1 + 10 + 20,
      orphans: 2_500 + 1 + 10 + 20,
      reasons: { 'document-missing': 2_520, 'other-tenant': 10, 'not-a-document-id': 1 },
      documents: { model: 'Passage', scanned: 1_500, withMissing: 100, missingVectors: 100 },
    });
    const checked = polystore(cli([]), { cwd: project });
    expect(checked.status).toBe(2);
    expect(checked.stdout).toContain('polystore: pieces: 9931 vectors scanned, 2531 orphans (2520 document missing, 10 document of another tenant, 1 not a document id); 1500 Passage documents, 100 listing 100 vector ids that have no vector.');
    const dry = polystore(cli(['--sweep', '--older-than', '1h', '--dry-run']), { cwd: project });
    expect(dry.status, dry.stderr).toBe(2);
    expect(dry.stdout.split('\n').filter((line) => line.startsWith('pieces '))).toHaveLength(2_531);
    expect(dry.stdout).toContain('2511 would be deleted, 20 kept');
    expect(await team0.count()).toBe(5_000 + 1); // the dry run deleted nothing

    // A sweep killed midway, then run again: it resumes, and the two delete each orphan once.
    const killed = polystoreAsync(cli(['--sweep', '--older-than', '1h', '--batch', '100']), { cwd: project });
    const states = mongo.db.collection<{ _id: string; scanned?: number }>('polystore_integrity');
    for (let tries = 0; ((await states.findOne({ _id: 'sweep:pieces' }))?.scanned ?? 0) < 2_000 && tries < 600; tries++) await pause(20);
    killed.child.kill('SIGKILL');
    expect((await killed).status).toBe(null);
    const resumed = polystore(cli(['--sweep', '--older-than', '1h', '--json']), { cwd: project });
    expect(resumed.status, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject([{ resumed: true, deleted: 2_511, kept: 20, scanned: 9_931, orphans: 2_531 }]);
    expect(await team0.count()).toBe(2_500);
    expect(await team1.count()).toBe(5_000 - 100 + 20);
    const again = await db.integrity.sweep({ olderThanMs: 3_600_000 });
    expect(again).toMatchObject([{ orphans: 20, deleted: 0, kept: 20, reasons: { 'document-missing': 20, 'other-tenant': 0, 'not-a-document-id': 0 } }]);

    // Two sweeps at once: one waits for the other; together they delete each orphan once, and neither fails.
    await mongo.db.collection('passages').deleteMany({ _id: { $in: passages.filter((passage) => passage.teamId === 'team1').slice(200, 300).map((passage) => passage._id) } });
    const both = await Promise.all([0, 1].map(() => polystoreAsync(cli(['--sweep', '--older-than', '1h', '--batch', '200', '--json']), { cwd: project })));
    for (const run of both) expect(run.status, run.stderr).toBe(0);
    expect(both.map((run) => JSON.parse(run.stdout)[0].deleted as number).reduce((a, b) => a + b)).toBe(500);
    expect(await team1.count()).toBe(5_000 - 100 + 20 - 500);
    expect(await db.integrity.check()).toMatchObject([{ orphans: 20 }]);
  }, 300_000);

  it('takes two sweeps of one process in turn, gives a lease wait up on close() or an abort, and takes the far ends of time', async () => {
    // Windows past what PostgreSQL's ISO input reads, and a grace of 99,000 years: bounds, not errors.
    expect(await db.integrity.check({ since: new Date(-8.64e15), until: new Date(8.64e15) })).toMatchObject([{ orphans: 20 }]);
    expect(await db.integrity.sweep({ olderThanMs: 99_000 * 365.25 * 86_400_000 })).toMatchObject([{ orphans: 20, deleted: 0, kept: 20 }]);

    // Two sweeps of one process at once: the lease's insert lets one through, the other waits (told once), then
    // finds nothing left; each orphan deleted once.
    const team1 = (await mongo.db.collection('passages').find({ teamId: 'team1' }).sort({ _id: 1 }).toArray()).slice(300, 340).map((passage) => passage._id);
    await mongo.db.collection('passages').deleteMany({ _id: { $in: team1 } });
    const waits: string[] = [];
    const both = await Promise.all([0, 1].map(() => db.integrity.sweep({ olderThanMs: 3_600_000, batchSize: 500, onWait: (collection) => waits.push(collection) })));
    expect(both.map(([report]) => report.deleted!).reduce((a, b) => a + b)).toBe(200);
    expect(waits).toEqual(['pieces']);

    // A sweep interrupted in a window, then one of every record: that one starts afresh, and finds the orphans the
    // window's cursor had passed (ids that sort before it).
    const team0 = db.vectors.pieces.forTenant('team0');
    await team0.insert(Array.from({ length: 10 }, (_, i) => ({ id: `a${i}`, passageId: new ObjectId().toHexString(), n: i, embedding: pieceVector(i) })));
    await sql`update pieces set written_at = written_at - interval '2 hours' where id like 'a%'`;
    const interrupt = new AbortController();
    const windowed = db.integrity.sweep({ olderThanMs: 3_600_000, since: new Date(Date.now() - 600_000), batchSize: 5, signal: interrupt.signal, onProgress: () => interrupt.abort(new Error('after a page')) });
    await expect(windowed).rejects.toThrow('after a page');
    const [whole] = await db.integrity.sweep({ olderThanMs: 3_600_000 });
    expect(whole).toMatchObject({ deleted: 10, kept: 20 });
    expect(whole.resumed).toBeUndefined();

    // A lease of this process's pid that none of its sweeps holds (a release whose delete never arrived): taken at once.
    const states = mongo.db.collection<{ _id: string; holder?: object; leaseUntil?: Date }>('polystore_integrity');
    await states.insertOne({ _id: 'lease:pieces', holder: { host: hostname(), pid: process.pid, token: 'leftover' }, leaseUntil: new Date(Date.now() + 60_000) });
    const told: string[] = [];
    expect(await db.integrity.sweep({ olderThanMs: 3_600_000, onWait: (collection) => told.push(collection) })).toMatchObject([{ deleted: 0 }]);
    expect(told).toEqual([]);

    // Another live process holds the lease: close() ends the wait (CLOSED), and so does an abort (its reason).
    const holder = spawn('sleep', ['60']);
    await states.insertOne({ _id: 'lease:pieces', holder: { host: hostname(), pid: holder.pid, token: 'another' }, leaseUntil: new Date(Date.now() + 60_000) });
    const other = await linkedFacade(project, { postgres: { url: database.url, max: 1 }, mongodb: { url: mongo.url } });
    const waiting = other.integrity.sweep({ olderThanMs: 3_600_000 });
    await pause(300);
    const closed = other.close();
    await expect(waiting).rejects.toMatchObject({ code: 'CLOSED' });
    await closed;
    const stop = new AbortController();
    const aborted = db.integrity.sweep({ olderThanMs: 3_600_000, signal: stop.signal });
    await pause(300);
    stop.abort(new Error('stop now'));
    await expect(aborted).rejects.toThrow('stop now');
    await expect(db.integrity.check({ signal: AbortSignal.abort(new Error('before')) })).rejects.toThrow('before');
    await states.deleteOne({ _id: 'lease:pieces' });
    holder.kill();
  }, 120_000);

  it('says what is wrong with bad options, and what a sweep needs', async () => {
    await expect(db.integrity.sweep(undefined as never)).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['olderThanMs'] }] });
    await expect(db.integrity.check({ collection: 'nope' })).rejects.toMatchObject({ code: 'INVALID_INPUT', issues: [{ path: ['collection'] }] });
    await expect(db.integrity.check({ since: new Date('x') })).rejects.toMatchObject({ issues: [{ path: ['since'] }] });
    await expect(db.integrity.check({ since: new Date(2), until: new Date(1) })).rejects.toMatchObject({ issues: [{ path: ['until'] }] });
    await expect(db.integrity.sweep({ olderThanMs: -1 })).rejects.toMatchObject({ issues: [{ path: ['olderThanMs'] }] });
    await expect(db.integrity.check({ batchSize: 0 })).rejects.toMatchObject({ issues: [{ path: ['batchSize'] }] });
    await expect(db.integrity.check({ signal: AbortSignal.abort() })).rejects.toThrow();
    expect(polystore(cli(['--sweep']), { cwd: project }).stderr).toContain('--sweep needs --older-than <duration>');
    expect(polystore(cli(['--sweep', '--older-than', 'soon']), { cwd: project }).stderr).toContain('--older-than: expected a duration with its unit, such as 30m, 1h or 7d, got "soon"');
    // A bare number would be milliseconds: refused, as are a year alone, a day its month has not, and a grace past any date.
    const refused = (args: string[]) => {
      const run = polystore(cli(args), { cwd: project });
      expect(run.status).toBe(1);
      return run.stderr;
    };
    expect(refused(['--sweep', '--older-than', '1'])).toContain('--older-than: expected a duration with its unit, such as 30m, 1h or 7d, got "1"');
    expect(refused(['--since', '2026'])).toContain('--since (an ISO 8601 time, or a duration ago): expected a duration with its unit');
    expect(refused(['--until', '2026-02-30'])).toContain('--until: "2026-02-30" is no valid time');
    expect(refused(['--sweep', '--older-than', '1000000y'])).toContain('--older-than: "1000000y" reaches further back than a date can');
    expect(polystore(cli(['--since', '2026-13-45']), { cwd: project }).stderr).toContain('--since: "2026-13-45" is no valid time');
    const noMongo = await linkedFacade(project, { postgres: { url: database.url, max: 1 } });
    await expect(noMongo.integrity.check()).rejects.toMatchObject({ code: 'MONGODB_NOT_CONFIGURED' });
    await noMongo.close();
  });
});

describe.runIf(wireUrl)('integrity of linked vectors: Milvus Lite and FerretDB', () => {
  it('finds and sweeps the vectors of deleted passages', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'polystore-integrity-'));
    const mongo = await mongoDatabase();
    const db = await linkedFacade(linkedProject('milvus'), { milvus: { address: join(dir, 'milvus.db') }, mongodb: { url: mongo.url } });
    try {
      const passages = await seed(db, mongo.db, 200, 5);
      await mongo.db.collection('passages').deleteMany({ _id: { $in: passages.slice(0, 50).map((passage) => passage._id) } });
      expect(await db.integrity.check()).toMatchObject([{ scanned: 1_000, orphans: 250, reasons: { 'document-missing': 250 }, documents: { scanned: 150, withMissing: 0 } }]);
      expect(await db.integrity.sweep({ olderThanMs: 60_000 })).toMatchObject([{ orphans: 250, deleted: 0, kept: 250 }]);
      await pause(1_100);
      expect(await db.integrity.sweep({ olderThanMs: 1_000, batchSize: 64 })).toMatchObject([{ orphans: 250, deleted: 250, kept: 0 }]);
      expect(await db.vectors.pieces.forTenant('team0').count()).toBe(500 - 125);
      expect(await db.vectors.pieces.forTenant('team1').count()).toBe(500 - 125);
      expect(await db.integrity.check()).toMatchObject([{ scanned: 750, orphans: 0 }]);
      // The cascade on Milvus: a delete through db.documents() takes the passages' vectors with it.
      const documents = (await (db as unknown as { documents(client: unknown): Promise<{ passage: { deleteMany(args: object): Promise<{ count: number }> } }> }).documents(driverPrismaClient(mongo.url)));
      expect(await documents.passage.deleteMany({ where: { id: { in: passages.slice(50, 60).map((passage) => String(passage._id)) } } })).toEqual({ count: 10 });
      expect(await db.vectors.pieces.forTenant('team0').count()).toBe(500 - 125 - 25);
      expect(await db.integrity.check()).toMatchObject([{ scanned: 700, orphans: 0 }]);
    } finally {
      await db.close();
      await mongo.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});
