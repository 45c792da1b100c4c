/**
 * npm run bench:integrity — `polystore integrity check` and its sweep on the native pgvector server
 * (POLYSTORE_TEST_PGVECTOR_URL) and FerretDB (POLYSTORE_TEST_MONGODB_WIRE_URL), a database of each per size, as a
 * user runs them: BENCH_SIZES (10,000 and 100,000) vectors linked to a fifth as many passages, a quarter of the
 * passages deleted behind polystore's back and every vector written two hours ago. Reported for the check and for
 * `--sweep --older-than 1h`: vectors checked per second, and the CLI's peak resident memory (flat in N: one page
 * at a time). Writes bench/results/integrity.json.
 */
import { rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { MongoClient, ObjectId } from 'mongodb';
import postgres from 'postgres';
import { measuredCli } from './child-memory.js';
import { serverDatabase } from '../test/helpers/engines.js';
import { linkedFacade, linkedProject, pieceVector } from '../test/helpers/linked-project.js';

const url = process.env.POLYSTORE_TEST_PGVECTOR_URL;
const wire = process.env.POLYSTORE_TEST_MONGODB_WIRE_URL;
if (!url || !wire) throw new Error('start the servers first: scripts/pgvector-server.sh start and scripts/ferretdb-server.sh start, and export POLYSTORE_TEST_PGVECTOR_URL and POLYSTORE_TEST_MONGODB_WIRE_URL');
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const PER = 5;

const project = linkedProject('pgvector');
/** The CLI's JSON reports, once it exited with `status`. */
function reportOf<R>(what: string, run: { status: number | null; stdout: string }, status: number): R[] {
  if (run.status !== status) throw new Error(`${what}: exit ${run.status}: ${run.stdout}`);
  return JSON.parse(run.stdout) as R[];
}
const results = [];
for (const n of SIZES) {
  const database = await serverDatabase(url);
  const mongoUrl = new URL(wire);
  mongoUrl.pathname = `/bench_integrity_${n}`;
  const client = await new MongoClient(mongoUrl.href).connect();
  await client.db().dropDatabase();
  const db = await linkedFacade(project, { postgres: { url: database.url, max: 4 }, mongodb: { url: mongoUrl.href } });
  await db.migrate();
  const passages = Array.from({ length: n / PER }, (_, i) => ({ _id: new ObjectId(), teamId: `team${i % 2}`, text: `passage ${i}`, pieceIds: Array.from({ length: PER }, (_, k) => `p${String(i).padStart(7, '0')}-${k}`) }));
  for (let start = 0; start < passages.length; start += 5_000) await client.db().collection('passages').insertMany(passages.slice(start, start + 5_000));
  const pieces = passages.flatMap((passage, i) => passage.pieceIds.map((id, k) => ({ team: passage.teamId, record: { id, passageId: passage._id.toHexString(), n: i * PER + k, embedding: pieceVector(i * PER + k) } })));
  for (const team of ['team0', 'team1']) {
    const mine = pieces.filter((piece) => piece.team === team).map((piece) => piece.record);
    for (let start = 0; start < mine.length; start += 5_000) await db.vectors.pieces.forTenant(team).insert(mine.slice(start, start + 5_000));
  }
  await client.db().collection('passages').deleteMany({ _id: { $in: passages.filter((_, i) => i % 4 === 0).map((passage) => passage._id) } });
  const sql = postgres(database.url, { max: 1, onnotice: () => {} });
  await sql`update pieces set written_at = written_at - interval '2 hours'`;
  await sql`vacuum analyze pieces`;
  await sql.end();
  const env = { POLYSTORE_POSTGRES_URL: database.url, MONGODB_URL: mongoUrl.href };
  const check = await measuredCli(['integrity', 'check', '--json'], project, env);
  const [checked] = reportOf<{ scanned: number; orphans: number }>('check', check, 1);
  if (checked.orphans !== n / 4) throw new Error(`check found ${checked.orphans} orphans, not ${n / 4}`);
  const sweep = await measuredCli(['integrity', 'check', '--sweep', '--older-than', '1h', '--json'], project, env);
  const [swept] = reportOf<{ deleted: number }>('sweep', sweep, 0);
  if (swept.deleted !== n / 4) throw new Error(`sweep deleted ${swept.deleted}, not ${n / 4}`);
  const result = {
    n,
    check: { vectorsPerSecond: Math.round(checked.scanned / check.seconds), seconds: Number(check.seconds.toFixed(1)), rssPeakMiB: Math.round(check.peakMiB) },
    sweep: { vectorsPerSecond: Math.round(n / sweep.seconds), deleted: swept.deleted, seconds: Number(sweep.seconds.toFixed(1)), rssPeakMiB: Math.round(sweep.peakMiB) },
  };
  results.push(result);
  console.log(
    `${n} linked vectors, ${n / 4} orphans: check ${result.check.vectorsPerSecond} vectors/s (${result.check.seconds} s, peak RSS ${result.check.rssPeakMiB} MiB); ` +
      `sweep ${result.sweep.vectorsPerSecond} vectors/s (${result.sweep.seconds} s, ${swept.deleted} deleted, peak RSS ${result.sweep.rssPeakMiB} MiB)`,
  );
  await db.close();
  await client.db().dropDatabase();
  await client.close();
  await database.drop();
}
await mkdir(new URL('./results', import.meta.url), { recursive: true });
await writeFile(new URL('./results/integrity.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
rmSync(project, { recursive: true, force: true });
