/**
 * `npm run bench:cache`: search p50 on the embedded engine (PGlite in-process, BENCH_N passages, HNSW) with the
 * cache off, on a hit and on a miss, in memory and in Redis, side by side: each round runs every case once, in a
 * rotating order. A miss is a query vector not asked before; a hit asks one that was. Redis: POLYSTORE_TEST_REDIS_URL,
 * else scripts/redis-server.sh starts one. Writes bench/results/cache.json.
 */
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { CHUNK, DIMENSION, K, N, percentile, rows } from './passages.js';
import { createPolystore } from '../test/fixtures/runtime/generated/index.js';
import { random, randomVector } from '../test/helpers/vectors.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 300);
const redis = process.env.POLYSTORE_TEST_REDIS_URL ?? execFileSync('scripts/redis-server.sh', ['start'], { encoding: 'utf8' }).trim();

const client = new PGlite({ extensions: { vector } });
const facades = {
  off: createPolystore({ pglite: { client } }),
  memory: createPolystore({ pglite: { client }, cache: true }),
  redis: createPolystore({ pglite: { client }, cache: { redis, namespace: `bench${process.pid}` } }),
};
for (let start = 0; start < rows.length; start += CHUNK) await facades.off.vectors.passages.insert(rows.slice(start, start + CHUNK));
await client.exec('ANALYZE passages');

const next = random(99);
const hitQuery = randomVector(next, DIMENSION);
const cases = {
  'cache off': () => facades.off.vectors.passages.search({ vector: randomVector(next, DIMENSION), topK: K }),
  'memory, hit': () => facades.memory.vectors.passages.search({ vector: hitQuery, topK: K }),
  'memory, miss': () => facades.memory.vectors.passages.search({ vector: randomVector(next, DIMENSION), topK: K }),
  'Redis, hit': () => facades.redis.vectors.passages.search({ vector: hitQuery, topK: K }),
  'Redis, miss': () => facades.redis.vectors.passages.search({ vector: randomVector(next, DIMENSION), topK: K }),
};
type Case = keyof typeof cases;
const names = Object.keys(cases) as Case[];
const times = Object.fromEntries(names.map((name) => [name, [] as number[]])) as Record<Case, number[]>;
for (const name of names) for (let i = 0; i < 20; i++) await cases[name](); // warm-up: PGlite's caches, Redis's connection
for (let round = 0; round < ROUNDS; round++) {
  for (let i = 0; i < names.length; i++) {
    const name = names[(round + i) % names.length];
    const started = performance.now();
    await cases[name]();
    times[name].push(performance.now() - started);
  }
}

const p50 = (name: Case) => percentile(times[name], 0.5);
const summary = {
  engine: 'PGlite in-process',
  rows: N,
  rounds: ROUNDS,
  p50Ms: Object.fromEntries(names.map((name) => [name, Number(p50(name).toFixed(3))])),
  p95Ms: Object.fromEntries(names.map((name) => [name, Number(percentile(times[name], 0.95).toFixed(3))])),
  missCost: { memory: p50('memory, miss') / p50('cache off') - 1, redis: p50('Redis, miss') / p50('cache off') - 1 },
  redisHitSpeedup: p50('cache off') / p50('Redis, hit'),
  stats: { memory: facades.memory.cache.stats(), redis: facades.redis.cache.stats() },
};
console.log(`search, PGlite in-process, ${N} × ${DIMENSION}-d HNSW, top ${K}, ${ROUNDS} rounds: p50 / p95 ms`);
for (const name of names) console.log(`  ${name.padEnd(14)} ${p50(name).toFixed(3)} / ${percentile(times[name], 0.95).toFixed(3)}`);
console.log(`cost of a miss over an uncached search: memory ${(summary.missCost.memory * 100).toFixed(1)}%, Redis ${(summary.missCost.redis * 100).toFixed(1)}% (target ≤ 5%)`);
console.log(`Redis hit: ${summary.redisHitSpeedup.toFixed(1)}× faster than an uncached search (target > 1×)`);
await mkdir(new URL('./results', import.meta.url), { recursive: true });
await writeFile(new URL('./results/cache.json', import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
await Promise.all(Object.values(facades).map((db) => db.close()));
await client.close();
