/**
 * npm run bench:copy — `polystore vectors copy` of BENCH_N (10,000) 128-dimensional passages from the native
 * pgvector server (POLYSTORE_TEST_PGVECTOR_URL, a database of its own) to Milvus Lite, batches of 500: records/s,
 * and the Node process's resident memory sampled every 50 ms (peak over the copy, against the start). The copy
 * reads keyset pages, so the peak should not grow with N. `npm run bench:copy` caps V8's heap at 400 MiB: without a
 * cap V8 lets garbage pile up as long as memory allows, and the peak then measures its laziness, not what the copy
 * keeps alive. Writes bench/results/copy-N.json.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { N, rows } from './passages.js';
import { copyCollection } from '../src/copy/copy-collection.js';
import { createRuntime } from '../src/facade/create-runtime.js';
import * as schema from '../test/fixtures/runtime/drizzle/schema.js';
import { passagesCollection } from '../test/fixtures/runtime/generated/index.js';
import { serverDatabase } from '../test/helpers/engines.js';

const url = process.env.POLYSTORE_TEST_PGVECTOR_URL;
if (!url) throw new Error('start the server first: export POLYSTORE_TEST_PGVECTOR_URL=$(scripts/pgvector-server.sh)');
const database = await serverDatabase(url);
const dir = await mkdtemp(path.join(tmpdir(), 'polystore-copy-bench-'));
const runtime = createRuntime(schema, pathToFileURL(path.resolve('test/fixtures/runtime/generated/index.ts')).href, [passagesCollection], {
  postgres: database.url,
  autoMigrate: true,
  milvus: { address: path.join(dir, 'milvus.db') },
});
const source = runtime.backendStore(passagesCollection, 'pgvector');
for (let start = 0; start < rows.length; start += 5_000) await source.insert(rows.slice(start, start + 5_000));
await runtime.backendStore(passagesCollection, 'milvus').count(); // Milvus Lite started and the collection made: not timed

const rss = () => process.memoryUsage().rss / 2 ** 20;
global.gc?.();
const before = rss();
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, rss())), 50);
const started = performance.now();
const report = await copyCollection(passagesCollection, (backend) => runtime.backendStore(passagesCollection, backend), {
  from: 'pgvector',
  to: 'milvus',
  statePath: path.join(dir, 'state.json'),
});
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
const result = { n: N, seconds, recordsPerSecond: Math.round(report.total / seconds), rssBeforeMiB: Math.round(before), rssPeakMiB: Math.round(peak), sampled: report.sampled };
console.log(`vectors copy pgvector → Milvus Lite, ${N} records: ${result.recordsPerSecond} records/s (${seconds.toFixed(1)} s); RSS ${result.rssBeforeMiB} MiB before, peak ${result.rssPeakMiB} MiB; ${report.sampled} sampled records verified`);
await mkdir(new URL('./results', import.meta.url), { recursive: true });
await writeFile(new URL(`./results/copy-${N}.json`, import.meta.url), `${JSON.stringify(result, null, 2)}\n`);
await runtime.close();
await database.drop();
await rm(dir, { recursive: true, force: true });
