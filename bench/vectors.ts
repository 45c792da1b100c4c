/**
 * npm run bench — polystore's pgvector VectorStore against the floor (hand-written SQL through the same
 * `postgres` driver doing the same work), raw binary COPY (bulk ingest only) and LangChain.js's PGVectorStore
 * (`pg` driver), with the same data, on the native PostgreSQL 18 + pgvector server when
 * POLYSTORE_TEST_PGVECTOR_URL names one (scripts/pgvector-server.sh; a database of its own), else on one PGlite
 * served over pglite-socket (BENCH_ENGINE=pglite forces it).
 *
 * Data (bench/passages.ts): 128-dimensional, cosine; calls of 500 records, LangChain's chunk size, the three
 * systems taking turns call by call. Each system writes its own table, in two phases:
 * 1. the BENCH_N passages into the table without its HNSW index (pgvector's advice for a bulk load): each
 *    client's write path;
 * 2. the index built (m 16, ef_construction 64), then BENCH_LATER_N more passages: inserts into a live
 *    index, where pgvector's graph maintenance (milliseconds a row in WASM) dominates all three alike.
 * BENCH_ANN=off skips the index: phase 2 writes into plain tables and searches are exact.
 * Searches: BENCH_Q (200) queries, top-10, unfiltered and filtered to one bucket (2% of rows), the three
 * systems interleaved query by query; recall@10 against exact brute force. The floor searches polystore's
 * table, so that both read the very same HNSW graph.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { PGVectorStore } from '@langchain/community/vectorstores/pgvector';
import { Document } from '@langchain/core/documents';
import { FakeEmbeddings } from '@langchain/core/utils/testing';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import postgres from 'postgres';
import { CHUNK, DIMENSION, FILTER_BUCKET, K, LATER_N, laterRows, N, percentile, Q, queries, rows } from './passages.js';
import { binaryCopyEncoder } from '../src/runtime/pgvector/binary-copy.js';
import { hexLiteral } from '../src/runtime/pgvector/vector-literal.js';
import { noDelaySocket } from '../src/runtime/postgres/no-delay-socket.js';
import { efSearch } from '../src/runtime/search/search-breadth.js';
import { createPolystore, passagesCollection } from '../test/fixtures/runtime/generated/index.js';
import { serverDatabase } from '../test/helpers/engines.js';
import { cosineSimilarity } from '../test/helpers/vectors.js';

const ANN = process.env.BENCH_ANN !== 'off';
const EF_SEARCH = efSearch(K); // what polystore sets; the floor does the same work

const nativeUrl = process.env.BENCH_ENGINE === 'pglite' ? undefined : process.env.POLYSTORE_TEST_PGVECTOR_URL;
const database = nativeUrl ? await serverDatabase(nativeUrl) : undefined;
const pglite = database ? undefined : new PGlite({ extensions: { vector } });
// Five connections: polystore's, the floor's, the raw COPY's, and LangChain's two (PGVectorStore.initialize keeps
// one checked out). The searches run one at a time, so no transaction interleaves in pglite-socket's multiplexer.
const server = pglite && new PGLiteSocketServer({ db: pglite, port: 0, maxConnections: 5 });
await server?.start();
const url = database?.url ?? `postgres://postgres@${server!.getServerConn()}/postgres`;

// ── the three systems ─────────────────────────────────────────────────────
interface System {
  name: string;
  insert(batch: typeof rows): Promise<void>;
  buildIndex(): Promise<unknown>;
  /** Absent for a write-only system (raw COPY). */
  search?(query: number[], filtered: boolean): Promise<string[]>;
}

const db = createPolystore({ postgres: { url, max: 1 } });
await db.migrate();
// The migration's own index, dropped for the bulk load and built again from its definition.
const [{ definition }] = (await db.sql.execute(sql`SELECT pg_get_indexdef('passages_embedding_hnsw'::regclass) AS definition`)) as unknown as Array<{ definition: string }>;
await db.sql.execute(sql`DROP INDEX passages_embedding_hnsw`);
const polystore: System = {
  name: 'polystore',
  insert: (batch) => db.vectors.passages.insert(batch),
  buildIndex: () => db.sql.execute(sql.raw(definition)),
  search: async (query, filtered) =>
    (await db.vectors.passages.search({ vector: query, topK: K, where: filtered ? { bucket: FILTER_BUCKET } : undefined })).map((hit) => hit.id),
};

// The floor writes vectors in the same text as polystore: the insert comparison is then of the statements alone.
const floorSql = postgres(url, { max: 1, onnotice: () => {}, socket: noDelaySocket(10) } as postgres.Options<{}>);
await floorSql`CREATE TABLE floor_passages (LIKE passages INCLUDING ALL)`;
const floor: System = {
  name: 'floor (hand-written SQL)',
  insert: (batch) =>
    floorSql.begin(async (tx) => {
      await tx`INSERT INTO floor_passages ${tx(batch.map((row) => ({ ...row, embedding: hexLiteral(row.embedding) })), 'id', 'bucket', 'content', 'embedding')}`;
    }) as Promise<unknown> as Promise<void>,
  buildIndex: () => floorSql`CREATE INDEX ON floor_passages USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
  search: async (query, filtered) => {
    const vectorText = hexLiteral(query);
    const result = await floorSql.begin(async (tx) => {
      await tx`SELECT set_config('hnsw.ef_search', ${String(EF_SEARCH)}, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`;
      return filtered
        ? tx<{ id: string }[]>`SELECT id, bucket, content, embedding <=> ${vectorText}::vector AS distance FROM passages WHERE bucket = ${FILTER_BUCKET} ORDER BY embedding <=> ${vectorText}::vector LIMIT ${K}`
        : tx<{ id: string }[]>`SELECT id, bucket, content, embedding <=> ${vectorText}::vector AS distance FROM passages ORDER BY embedding <=> ${vectorText}::vector LIMIT ${K}`;
    });
    return (result as unknown as Array<{ id: string }>).map((row) => row.id);
  },
};

// Raw binary COPY into a table of its own, one transaction a call: the bulk-ingest ceiling of the wire protocol.
// The rows are encoded as polystore encodes them (PostgreSQL's binary format is the format); nothing else runs.
// Without Nagle's delay, as polystore's own sockets: else each COPY's closing message waits 40 ms for an ACK.
const copySql = postgres(url, { max: 1, onnotice: () => {}, socket: noDelaySocket(10) } as postgres.Options<{}>);
await copySql`CREATE TABLE copy_passages (LIKE passages INCLUDING ALL)`;
const encode = binaryCopyEncoder(passagesCollection, ['id', 'bucket', 'content', 'embedding']);
const rawCopy: System = {
  name: 'raw binary COPY',
  insert: (batch) =>
    copySql.begin(async (tx) => {
      await pipeline(Readable.from([encode(batch)]), await tx.unsafe('COPY copy_passages (id, bucket, content, embedding) FROM STDIN (FORMAT binary)').writable());
    }) as Promise<unknown> as Promise<void>,
  buildIndex: () => copySql`CREATE INDEX ON copy_passages USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 64)`,
};

const pool = new pg.Pool({ connectionString: url, max: 2 });
const store = await PGVectorStore.initialize(new FakeEmbeddings(), { pool, tableName: 'langchain_passages', dimensions: DIMENSION, distanceStrategy: 'cosine' });
const langchain: System = {
  name: 'LangChain PGVectorStore',
  insert: (batch) =>
    store.addVectors(
      batch.map((row) => row.embedding),
      batch.map((row) => new Document({ pageContent: row.content, metadata: { bucket: row.bucket } })),
      { ids: batch.map((row) => row.id) },
    ) as Promise<unknown> as Promise<void>,
  buildIndex: () => store.createHnswIndex({ dimensions: DIMENSION, m: 16, efConstruction: 64 }),
  search: async (query, filtered) =>
    (await store.similaritySearchVectorWithScore(query, K, filtered ? { bucket: FILTER_BUCKET } : undefined)).map(([doc]) => doc.id!),
};
const systems = [polystore, floor, rawCopy, langchain];
const searchers = systems.filter((system) => system.search);
const permutations = <T>(items: T[]): T[][] => (items.length <= 1 ? [items] : items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest])));
const orders = permutations(searchers);

// ── measurements ──────────────────────────────────────────────────────────

/** Rows per second for each system writing `data`, the systems taking turns call by call (who goes first rotates). */
async function insertRates(data: typeof rows): Promise<Map<string, number>> {
  const elapsed = new Map(systems.map((system) => [system.name, 0]));
  for (let call = 0, i = 0; i < data.length; call++, i += CHUNK) {
    for (let j = 0; j < systems.length; j++) {
      const system = systems[(call + j) % systems.length];
      const start = performance.now();
      await system.insert(data.slice(i, i + CHUNK));
      elapsed.set(system.name, elapsed.get(system.name)! + performance.now() - start);
    }
  }
  return new Map([...elapsed].map(([name, ms]) => [name, data.length / (ms / 1000)]));
}

const bulkRate = await insertRates(rows);
const buildSeconds = new Map<string, number>();
if (ANN) {
  for (const system of systems) {
    const start = performance.now();
    await system.buildIndex();
    buildSeconds.set(system.name, (performance.now() - start) / 1000);
  }
}
const liveRate = await insertRates(laterRows);
const allRows = [...rows, ...laterRows];
// Statistics, as autovacuum would gather them on a server after such a load: the planners then choose as in production.
await floorSql`ANALYZE`;

const exactTop = (query: number[], filtered: boolean) =>
  allRows
    .filter((row) => !filtered || row.bucket === FILTER_BUCKET)
    .map((row) => ({ id: row.id, score: cosineSimilarity(query, row.embedding) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, K)
    .map((row) => row.id);

const results: Record<string, Record<'unfiltered' | 'filtered', { times: number[]; found: number; returned: number }>> = {};
for (const system of searchers) results[system.name] = { unfiltered: { times: [], found: 0, returned: 0 }, filtered: { times: [], found: 0, returned: 0 } };
for (const filtered of [false, true]) {
  const mode = filtered ? 'filtered' : 'unfiltered';
  for (const [i, query] of queries.entries()) {
    const truth = exactTop(query, filtered);
    // Every order in turn: polystore and the floor read the same table, so whichever goes second finds its pages
    // warm; a rotation of three would put polystore first two times in three.
    for (const system of orders[i % orders.length]) {
      const start = performance.now();
      const ids = await system.search!(query, filtered);
      const entry = results[system.name][mode];
      entry.times.push(performance.now() - start);
      entry.returned += ids.length;
      entry.found += ids.filter((id) => truth.includes(id)).length;
    }
  }
}

const index = ANN ? 'HNSW m 16 / ef_construction 64' : 'no ANN index (exact search)';
const [{ version }] = await floorSql<{ version: string }[]>`SELECT version()`;
const engine = pglite ? `PGlite (${version.split(' ').slice(0, 2).join(' ')}) over pglite-socket` : `native ${version.split(' ').slice(0, 2).join(' ')}`;
console.log(`${N} + ${LATER_N} vectors × ${DIMENSION} dimensions, cosine, ${index}; ${Q} queries, top-${K}; ${engine}\n`);
console.log(`system                     insert rows/s: bulk   ${ANN ? 'into HNSW   build s' : 'later     '}   unfiltered p50 / p95 ms   recall   filtered (2%) p50 / p95 ms   recall   rows returned`);
for (const system of systems) {
  const r = results[system.name] ?? { unfiltered: { times: [NaN], found: NaN, returned: NaN }, filtered: { times: [NaN], found: NaN, returned: NaN } };
  const cell = (m: typeof r.unfiltered) => `${percentile(m.times, 0.5).toFixed(2).padStart(7)} / ${percentile(m.times, 0.95).toFixed(2).padEnd(7)}`;
  const build = ANN ? buildSeconds.get(system.name)!.toFixed(1).padStart(9) : '';
  console.log(
    `${system.name.padEnd(26)} ${bulkRate.get(system.name)!.toFixed(0).padStart(18)}   ${liveRate.get(system.name)!.toFixed(0).padStart(10)}${build}   ${cell(r.unfiltered)}           ${(r.unfiltered.found / (Q * K)).toFixed(3)}    ${cell(r.filtered)}              ${(r.filtered.found / (Q * K)).toFixed(3)}    ${(r.filtered.returned / Q).toFixed(1)} of ${K}`,
  );
}
const p50 = (name: string, mode: 'unfiltered' | 'filtered') => percentile(results[name][mode].times, 0.5);
const ratio = (rates: Map<string, number>, other: System) => (rates.get(polystore.name)! / rates.get(other.name)!).toFixed(2);
const summary = {
  engine,
  n: N,
  later: LATER_N,
  searchRatio: { unfiltered: p50(polystore.name, 'unfiltered') / p50(floor.name, 'unfiltered'), filtered: p50(polystore.name, 'filtered') / p50(floor.name, 'filtered') },
  insertRatio: { langchain: Number(ratio(bulkRate, langchain)), rawCopy: Number(ratio(bulkRate, rawCopy)), floor: Number(ratio(bulkRate, floor)) },
  systems: Object.fromEntries(
    systems.map((system) => [
      system.name,
      {
        bulkRowsPerSecond: Math.round(bulkRate.get(system.name)!),
        liveRowsPerSecond: Math.round(liveRate.get(system.name)!),
        ...(results[system.name] && {
          unfiltered: { p50: p50(system.name, 'unfiltered'), p95: percentile(results[system.name].unfiltered.times, 0.95), recall: results[system.name].unfiltered.found / (Q * K) },
          filtered: { p50: p50(system.name, 'filtered'), p95: percentile(results[system.name].filtered.times, 0.95), recall: results[system.name].filtered.found / (Q * K), rows: results[system.name].filtered.returned / Q },
        }),
      },
    ]),
  ),
};
console.log(`\npolystore search p50 ÷ floor: unfiltered ${summary.searchRatio.unfiltered.toFixed(3)}×, filtered ${summary.searchRatio.filtered.toFixed(3)}× (target ≤ 1.05×)`);
console.log(`polystore bulk insert ÷ raw binary COPY ${ratio(bulkRate, rawCopy)}× (target ≥ 0.9×), ÷ LangChain ${ratio(bulkRate, langchain)}× (target ≥ 2×), ÷ floor ${ratio(bulkRate, floor)}×; ${ANN ? 'into the HNSW index' : 'later'}: ÷ LangChain ${ratio(liveRate, langchain)}×`);
await mkdir(new URL('./results', import.meta.url), { recursive: true });
await writeFile(new URL(`./results/pgvector-${pglite ? 'pglite' : 'native'}-${N}.json`, import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);

// ── in-process: the same PGlite, no socket — the library's own overhead without network jitter ──
if (pglite) await inProcessSearch(pglite);
await db.close();
await floorSql.end();
await copySql.end();
await store.end();
await pool.end();
await server?.stop();
await pglite?.close();
await database?.drop();

async function inProcessSearch(pglite: PGlite): Promise<void> {
  const local = createPolystore({ pglite: { client: pglite } });
  const inProcess = { polystore: [] as number[], floor: [] as number[] };
  for (const [i, query] of queries.entries()) {
    const vectorText = hexLiteral(query);
    const runs: Array<[keyof typeof inProcess, () => Promise<unknown>]> = [
      ['polystore', () => local.vectors.passages.search({ vector: query, topK: K, where: { bucket: FILTER_BUCKET } })],
      [
        'floor',
        () =>
          pglite.transaction(async (tx) => {
            await tx.query(`SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)`, [String(EF_SEARCH)]);
            return tx.query('SELECT id, bucket, content, embedding <=> $1::vector AS distance FROM passages WHERE bucket = $2 ORDER BY embedding <=> $1::vector LIMIT $3', [vectorText, FILTER_BUCKET, K]);
          }),
      ],
    ];
    for (const [name, search] of i % 2 === 0 ? runs : runs.reverse()) {
      const start = performance.now();
      await search();
      inProcess[name].push(performance.now() - start);
    }
  }
  const local50 = (name: keyof typeof inProcess) => percentile(inProcess[name], 0.5);
  console.log(
    `in-process PGlite, filtered search: polystore p50 ${local50('polystore').toFixed(2)} ms, floor ${local50('floor').toFixed(2)} ms: ${(local50('polystore') / local50('floor')).toFixed(3)}×`,
  );

  await local.close();
}
