/**
 * npm run bench:hybrid — keyword, vector and hybrid (reciprocal rank fusion) search on the chunks of bench/prose.ts
 * (about 10,900 chunks of real prose, one tenant), polystore against the floor: hand-written SQL through the same
 * `postgres` driver doing the same work (websearch_to_tsquery on the generated tsvector column, text of no words matching nothing,
 * the same candidate depth, tie order, ef_search and iterative scan, the fusion in one statement), the two interleaved query by query, who goes
 * first alternating. On the native server when POLYSTORE_TEST_PGVECTOR_URL names one (a database of its own), else
 * on PGlite in-process (the floor then on the same PGlite). BENCH_Q queries (200): 2 to 4 words of a random chunk,
 * the vector their hashed embedding. Writes bench/results/hybrid-{native,pglite}.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import postgres from 'postgres';
import { percentile } from './passages.js';
import { embed, proseChunks } from './prose.js';
import { hexLiteral } from '../src/runtime/pgvector/vector-literal.js';
import { efSearch, hybridCandidates } from '../src/runtime/search/search-breadth.js';
import { createPolystore } from '../test/fixtures/runtime/generated/index.js';
import { serverDatabase } from '../test/helpers/engines.js';
import { random } from '../test/helpers/vectors.js';

const Q = Number(process.env.BENCH_Q ?? 200);
const K = 10;
const TENANT = 'team0';
const CANDIDATES = hybridCandidates(K);
const nativeUrl = process.env.BENCH_ENGINE === 'pglite' ? undefined : process.env.POLYSTORE_TEST_PGVECTOR_URL;
const database = nativeUrl ? await serverDatabase(nativeUrl) : undefined;
const pglite = database ? undefined : new PGlite({ extensions: { vector } });
const db = createPolystore(database ? { postgres: { url: database.url, max: 1 } } : { pglite: { client: pglite } });
await db.migrate();

// The floor's connection: a transaction of statements, each with its parameters.
const server = database && postgres(database.url, { max: 1, onnotice: () => {} });
type Statement = [sql: string, params: unknown[]];
const floorRun = async (statements: Statement[]): Promise<unknown[]> =>
  server
    ? ((await server.begin(async (tx) => {
        let rows: unknown[] = [];
        for (const [sql, params] of statements) rows = await tx.unsafe(sql, params as never[], { prepare: true });
        return rows;
      })) as unknown[])
    : pglite!.transaction(async (tx) => {
        let rows: unknown[] = [];
        for (const [sql, params] of statements) rows = (await tx.query(sql, params)).rows;
        return rows;
      });

// ── data: loaded without the HNSW index, which is then built; VACUUM flushes the GIN index's pending list ──
const chunks = proseChunks();
const records = chunks.map((content, i) => ({ id: `c${i}`, source: i % 2 === 0 ? 'docs' : 'chat', content, embedding: embed(content) }));
const [[definition]] = (await floorRun([["SELECT pg_get_indexdef('chunks_embedding_hnsw'::regclass)", []]])).map((row) => Object.values(row as object));
await floorRun([['DROP INDEX chunks_embedding_hnsw', []]]);
let started = performance.now();
for (let i = 0; i < records.length; i += 1_000) await db.vectors.chunks.forTenant(TENANT).insert(records.slice(i, i + 1_000));
const loadSeconds = (performance.now() - started) / 1000;
started = performance.now();
await floorRun([[definition as string, []]]);
const indexSeconds = (performance.now() - started) / 1000;
if (server) await server.unsafe('VACUUM ANALYZE chunks');
else await pglite!.exec('VACUUM ANALYZE chunks');

// ── the floor's statements, written by hand ──
const settings: Statement = ["SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)", []];
const floor = {
  keyword: (text: string) =>
    floorRun([[`SELECT id, team_id, source, content, ts_rank_cd(full_text, websearch_to_tsquery('english', $1)) AS score FROM chunks
      WHERE full_text @@ websearch_to_tsquery('english', $1) AND querytree(websearch_to_tsquery('english', $1)) <> 'T' AND team_id = $2
      ORDER BY score DESC, id LIMIT $3`, [text, TENANT, K]]]),
  vector: (query: number[]) =>
    floorRun([[settings[0], [String(efSearch(K))]], [`SELECT id, team_id, source, content, embedding <=> $1::vector AS distance FROM chunks
      WHERE team_id = $2 ORDER BY distance LIMIT $3`, [hexLiteral(query), TENANT, K]]]),
  hybrid: (query: number[], text: string) =>
    floorRun([[settings[0], [String(efSearch(CANDIDATES))]], [`WITH v AS (
        SELECT id, distance, row_number() OVER (ORDER BY distance, id) AS r FROM (
          SELECT id, embedding <=> $1::vector AS distance FROM chunks WHERE team_id = $3 ORDER BY distance LIMIT $4) n
      ), t AS (
        SELECT id, score, row_number() OVER (ORDER BY score DESC, id) AS r FROM (
          SELECT id, ts_rank_cd(full_text, websearch_to_tsquery('english', $2)) AS score FROM chunks
          WHERE full_text @@ websearch_to_tsquery('english', $2) AND querytree(websearch_to_tsquery('english', $2)) <> 'T' AND team_id = $3
          ORDER BY score DESC, id LIMIT $4) m
      ), f AS (
        SELECT * FROM (
          SELECT coalesce(v.id, t.id) AS id, coalesce(1.0 / (60 + v.r), 0) + coalesce(1.0 / (60 + t.r), 0) AS fused, v.r AS vr, v.distance, t.r AS tr, t.score
          FROM v FULL JOIN t ON v.id = t.id
        ) x WHERE fused > 0 ORDER BY fused DESC, id LIMIT $5
      )
      SELECT c.id, c.team_id, c.source, c.content, f.fused, f.vr, f.distance, f.tr, f.score FROM f JOIN chunks c ON c.id = f.id ORDER BY f.fused DESC, f.id`,
      [hexLiteral(query), text, TENANT, CANDIDATES, K]]]),
};
const store = db.vectors.chunks.forTenant(TENANT);
const ours = {
  keyword: (text: string) => store.search({ text, topK: K }),
  vector: (query: number[]) => store.search({ vector: query, topK: K }),
  hybrid: (query: number[], text: string) => store.search({ vector: query, text, topK: K }),
};

// ── queries: 2 to 4 words of 4 letters or more from a random chunk ──
const next = random(11);
const queries = Array.from({ length: Q }, () => {
  const words = chunks[Math.floor(next() * chunks.length)].match(/[A-Za-z]{4,}/g) ?? ['stream'];
  const start = Math.floor(next() * words.length);
  const text = words.slice(start, start + 2 + Math.floor(next() * 3)).join(' ');
  return { text, vector: embed(text) };
});

type Mode = 'keyword' | 'vector' | 'hybrid';
const modes: Mode[] = ['keyword', 'vector', 'hybrid'];
const times = Object.fromEntries(modes.flatMap((mode) => [[`polystore ${mode}`, [] as number[]], [`floor ${mode}`, [] as number[]]]));
let keywordHits = 0;
let sameHybrid = 0;
const timed = async <R>(name: string, call: () => Promise<R>): Promise<R> => {
  const start = performance.now();
  const result = await call();
  times[name].push(performance.now() - start);
  return result;
};
const argsOf = (mode: Mode, { text, vector: query }: (typeof queries)[number]) => (mode === 'keyword' ? [text] : mode === 'vector' ? [query] : [query, text]) as [never, never];
// A warm-up pass, untimed: caches and prepared statements.
for (const query of queries.slice(0, 20)) for (const mode of modes) await Promise.all([ours[mode](...argsOf(mode, query)), floor[mode](...argsOf(mode, query))]);
for (const [q, query] of queries.entries()) {
  for (const mode of modes) {
    const args = argsOf(mode, query);
    const run = [() => timed(`polystore ${mode}`, () => ours[mode](...args)), () => timed(`floor ${mode}`, () => floor[mode](...args))];
    const [first, second] = q % 2 === 0 ? run : run.reverse();
    const a = await first();
    const b = await second();
    const [mine, theirs] = (q % 2 === 0 ? [a, b] : [b, a]) as [Array<{ id: string }>, Array<{ id: string }>];
    if (mode === 'keyword') keywordHits += mine.length;
    if (mode === 'hybrid' && mine.map((hit) => hit.id).join() === theirs.map((row) => row.id).join()) sameHybrid++;
  }
}

const p50 = (name: string) => percentile(times[name], 0.5);
const results = {
  engine: database ? 'native PostgreSQL 18 + pgvector' : 'PGlite in-process',
  chunks: records.length,
  queries: Q,
  load: { seconds: Number(loadSeconds.toFixed(1)), rowsPerSecond: Math.round(records.length / loadSeconds), hnswBuildSeconds: Number(indexSeconds.toFixed(1)) },
  keywordHitsPerQuery: Number((keywordHits / Q).toFixed(1)),
  hybridSameAsFloor: sameHybrid / Q,
  modes: Object.fromEntries(modes.map((mode) => [mode, {
    polystore: { p50: Number(p50(`polystore ${mode}`).toFixed(3)), p95: Number(percentile(times[`polystore ${mode}`], 0.95).toFixed(3)) },
    floor: { p50: Number(p50(`floor ${mode}`).toFixed(3)), p95: Number(percentile(times[`floor ${mode}`], 0.95).toFixed(3)) },
    ratio: Number((p50(`polystore ${mode}`) / p50(`floor ${mode}`)).toFixed(3)),
  }])),
};
console.log(`${results.engine}: ${results.chunks} chunks loaded in ${results.load.seconds} s (${results.load.rowsPerSecond} rows/s), HNSW built in ${results.load.hnswBuildSeconds} s`);
console.log(`${Q} queries, top ${K}; keyword hits per query ${results.keywordHitsPerQuery}; hybrid ids equal to the floor's in ${(results.hybridSameAsFloor * 100).toFixed(0)}% of queries`);
console.log('mode      polystore p50 / p95 ms     floor p50 / p95 ms     ratio (target ≤ 1.10)');
for (const mode of modes) {
  const m = results.modes[mode];
  console.log(`${mode.padEnd(9)} ${m.polystore.p50.toFixed(2).padStart(8)} / ${m.polystore.p95.toFixed(2).padEnd(10)} ${m.floor.p50.toFixed(2).padStart(8)} / ${m.floor.p95.toFixed(2).padEnd(10)} ${m.ratio.toFixed(3)}×`);
}
await mkdir(new URL('./results', import.meta.url), { recursive: true });
await writeFile(new URL(`./results/hybrid-${database ? 'native' : 'pglite'}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
await db.close();
await server?.end();
await pglite?.close();
await database?.drop();
