/**
 * npm run bench:milvus — polystore's Milvus VectorStore against the raw @zilliz/milvus2-sdk-node doing the
 * same work, on one Milvus Lite server with the same data.
 *
 * Data (bench/passages.ts): cosine, HNSW (M 16, efConstruction 64), an INVERTED index on `bucket`. The raw client writes its own
 * collection, made from the same generated spec, the way polystore does: the ids checked first (Milvus
 * does not refuse a duplicate primary key), then one upsert; a bare `insert` without the check is shown
 * too. Searches: BENCH_Q (200) queries, top-10, unfiltered and filtered to one bucket (2% of rows), with
 * the same ef, output fields and Strong consistency, interleaved query by query.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConsistencyLevelEnum, MilvusClient } from '@zilliz/milvus2-sdk-node';
import { CHUNK, DIMENSION, FILTER_BUCKET as BUCKET, K, N, percentile, Q, queries, rows } from './passages.js';
import { acquireMilvusLite } from '../src/runtime/milvus/milvus-lite.js';
import { efSearch } from '../src/runtime/search/search-breadth.js';
import { createPolystore, passagesMilvus } from '../test/fixtures/runtime/generated/index.js';

const dir = await mkdtemp(path.join(tmpdir(), 'polystore-bench-milvus-'));
const lite = acquireMilvusLite(path.join(dir, 'bench.db'));
const address = await lite.address;

const db = createPolystore({ milvus: { address }, vectorBackends: { passages: 'milvus' } });
const passages = db.vectors.passages;
// Creates, indexes and loads the collection outside the timings, as the raw client's setup below is.
await passages.count();

const sdk = new MilvusClient({ address, logLevel: 'error' });
const raw = 'raw_passages';
await sdk.createCollection({
  collection_name: raw,
  fields: passagesMilvus.fields,
  index_params: passagesMilvus.indexes.map(({ index_name, ...index }) => index),
  consistency_level: 'Strong',
});
await sdk.loadCollection({ collection_name: raw });
const quote = (value: string) => JSON.stringify(value); // UUIDs: nothing to escape

interface System {
  name: string;
  insert(batch: typeof rows): Promise<void>;
  search(query: number[], filtered: boolean): Promise<number>;
}
const polystore: System = {
  name: 'polystore',
  insert: (batch) => passages.insert(batch),
  search: async (query, filtered) => (await passages.search({ vector: query, topK: K, where: filtered ? { bucket: BUCKET } : undefined })).length,
};
const rawSdk: System = {
  name: 'raw SDK (same work)',
  async insert(batch) {
    const existing = await sdk.query({ collection_name: raw, filter: `id in [${batch.map((row) => quote(row.id)).join(', ')}]`, output_fields: ['id'], consistency_level: ConsistencyLevelEnum.Strong });
    if (existing.data.length > 0) throw new Error('duplicate id');
    const result = await sdk.upsert({ collection_name: raw, data: batch });
    if (result.err_index.length > 0) throw new Error('rows failed');
  },
  async search(query, filtered) {
    const result = await sdk.search({
      collection_name: raw,
      data: query,
      limit: K,
      filter: filtered ? `bucket == ${BUCKET}` : '',
      output_fields: ['id', 'bucket', 'content'],
      params: { ef: efSearch(K) },
      consistency_level: ConsistencyLevelEnum.Strong,
    });
    return result.results.length;
  },
};
const systems = [polystore, rawSdk];

const insertTimes = new Map<string, number[]>(systems.map((system) => [system.name, []]));
for (let i = 0; i < rows.length; i += CHUNK) {
  // Interleaved call by call, so that both write into collections of the same size.
  for (const system of i % (2 * CHUNK) === 0 ? systems : [...systems].reverse()) {
    const start = performance.now();
    await system.insert(rows.slice(i, i + CHUNK));
    insertTimes.get(system.name)!.push(performance.now() - start);
  }
}
// A bare insert, as a reference for what the duplicate check costs.
const bare = 'bare_passages';
await sdk.createCollection({ collection_name: bare, fields: passagesMilvus.fields, index_params: passagesMilvus.indexes.map(({ index_name, ...index }) => index) });
await sdk.loadCollection({ collection_name: bare });
const bareTimes: number[] = [];
for (let i = 0; i < rows.length; i += CHUNK) {
  const start = performance.now();
  await sdk.insert({ collection_name: bare, data: rows.slice(i, i + CHUNK) });
  bareTimes.push(performance.now() - start);
}

const searchTimes: Record<string, Record<'unfiltered' | 'filtered', number[]>> = Object.fromEntries(systems.map((system) => [system.name, { unfiltered: [], filtered: [] }]));
let returned = 0;
for (const filtered of [false, true]) {
  for (const [i, query] of queries.entries()) {
    for (const system of i % 2 === 0 ? systems : [...systems].reverse()) {
      const start = performance.now();
      const count = await system.search(query, filtered);
      searchTimes[system.name][filtered ? 'filtered' : 'unfiltered'].push(performance.now() - start);
      if (system === polystore && filtered) returned += count;
    }
  }
}

const liteVersion = execFileSync(process.env.POLYSTORE_PYTHON ?? 'python3', ['-c', 'import milvus_lite; print(milvus_lite.__version__)']).toString().trim();
const rate = (times: number[]) => CHUNK / (percentile(times, 0.5) / 1000);
console.log(`${N} vectors × ${DIMENSION} dimensions, cosine, HNSW M 16 / efConstruction 64, ef ${efSearch(K)}; ${Q} queries, top-${K}; Milvus Lite ${liteVersion}, SDK ${MilvusClient.sdkInfo.version}\n`);
console.log('system                 insert rows/s (median call)   unfiltered p50 / p95 ms   filtered (2%) p50 / p95 ms');
for (const system of systems) {
  const t = searchTimes[system.name];
  const cell = (times: number[]) => `${percentile(times, 0.5).toFixed(2).padStart(7)} / ${percentile(times, 0.95).toFixed(2).padEnd(7)}`;
  console.log(`${system.name.padEnd(22)} ${rate(insertTimes.get(system.name)!).toFixed(0).padStart(27)}   ${cell(t.unfiltered)}           ${cell(t.filtered)}`);
}
console.log(`${'raw SDK bare insert'.padEnd(22)} ${rate(bareTimes).toFixed(0).padStart(27)}   (no duplicate check: Milvus keeps both rows of a repeated id)`);
const ratio = (a: number[], b: number[]) => (percentile(a, 0.5) / percentile(b, 0.5)).toFixed(3);
console.log(
  `\npolystore ÷ raw SDK, median times: insert ${ratio(insertTimes.get(polystore.name)!, insertTimes.get(rawSdk.name)!)}×, search unfiltered ${ratio(searchTimes[polystore.name].unfiltered, searchTimes[rawSdk.name].unfiltered)}×, filtered ${ratio(searchTimes[polystore.name].filtered, searchTimes[rawSdk.name].filtered)}× (target ≤ 1.10×)`,
);
console.log(`polystore filtered searches returned ${(returned / Q).toFixed(1)} of ${K} rows on average`);

await db.close();
await sdk.closeConnection();
await lite.release();
await rm(dir, { recursive: true, force: true });
