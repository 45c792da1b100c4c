/**
 * npm run bench:reembed — a change of embedding model on the native pgvector server (POLYSTORE_TEST_PGVECTOR_URL,
 * a database of its own per size), as a user runs it: BENCH_SIZES (10,000 and 100,000) records of a 64-d model
 * re-embedded with a 96-d one by `polystore vectors reembed` in a child process, while this process searches the
 * live (old) vectors. The embedders are local arithmetic on the text's characters, about a microsecond a text, so
 * that records/s is polystore's own cost (pages read, vectors written into the new column's HNSW index). Reported:
 * records/s; the child's peak resident memory (VmHWM, read from /proc every 50 ms; V8's heap capped at 400 MiB as
 * in bench:copy, so that the peak measures what the re-embed keeps alive, not V8's laziness); search p50 during
 * the re-embed ÷ before it, BENCH_Q (200) queries before, as many as fit during. Writes bench/results/reembed.json.
 */
import { rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { measuredCli } from './child-memory.js';
import { percentile } from './passages.js';
import { changedProject, embeddingProject, facadesOn } from '../test/helpers/embedding-project.js';
import { serverDatabase } from '../test/helpers/engines.js';

const url = process.env.POLYSTORE_TEST_PGVECTOR_URL;
if (!url) throw new Error('start the server first: export POLYSTORE_TEST_PGVECTOR_URL=$(scripts/pgvector-server.sh)');
const SIZES = (process.env.BENCH_SIZES ?? '10000,100000').split(',').map(Number);
const Q = Number(process.env.BENCH_Q ?? 200);

/** A model of `dimension`: each coordinate a function of the text's characters, never all zero. */
const cheapEmbedder = (dimension: number) => async (texts: string[]) =>
  texts.map((text) => {
    const vector = new Array<number>(dimension).fill(0.01);
    for (let i = 0; i < text.length; i++) vector[(text.charCodeAt(i) * (i + 1)) % dimension] += 1;
    return vector;
  });
const EMBEDDER_SOURCE = `const cheap = ${cheapEmbedder.toString()};`;
const config = `${EMBEDDER_SOURCE}\nexport default { schema: './schema.ts', out: '.', embedders: { chunks: cheap(96) } };\n`;
const text = (i: number) => `chunk ${i} about topic ${i % 97}, word${i % 13} and term${i % 31}`;

const v1 = embeddingProject({ model: 'cheap-64', dimension: 64, config });
const v2 = changedProject(v1, { model: 'cheap-96', dimension: 96, config });

async function timedSearches(search: () => Promise<unknown>, until: () => boolean): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; !until(); i++) {
    const started = performance.now();
    await search();
    times.push(performance.now() - started);
  }
  return times;
}

const results = [];
for (const n of SIZES) {
  const database = await serverDatabase(url);
  const facades = facadesOn(() => ({ postgres: { url: database.url, max: 4 } }));
  const old = await facades.open(v1, cheapEmbedder(64));
  await old.migrate();
  for (let start = 0; start < n; start += 5_000) {
    const records = Array.from({ length: Math.min(5_000, n - start) }, (_, k) => ({ id: `c${String(start + k).padStart(7, '0')}`, content: text(start + k), rev: 0 }));
    await old.vectors.chunks.forTenant(`team${(start / 5_000) % 2}`).insert(records);
  }
  const app = await facades.open(v2, { 'cheap-64': cheapEmbedder(64), 'cheap-96': cheapEmbedder(96) });
  await app.migrate();
  const chunks = app.vectors.chunks.forTenant('team0');
  let q = 0;
  const search = () => chunks.search({ query: text((q++ * 7919) % n), topK: 10 });
  for (let i = 0; i < 20; i++) await search(); // warm: prepared statements, the index's pages
  const before = await timedSearches(search, () => q >= 20 + Q);

  let running = true;
  const reembed = measuredCli(['vectors', 'reembed', 'chunks', '--json'], v2, { POLYSTORE_POSTGRES_URL: database.url });
  void reembed.then(() => (running = false));
  const during = await timedSearches(search, () => !running);
  const { status, stdout, peakMiB: peak } = await reembed;
  if (status !== 0) throw new Error(`reembed failed: ${stdout}`);
  const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as { filled: number; seconds: number; missing: number };
  const p50 = { before: percentile(before, 0.5), during: percentile(during, 0.5) };
  const result = {
    n,
    recordsPerSecond: Math.round(report.filled / report.seconds),
    seconds: Number(report.seconds.toFixed(1)),
    rssPeakMiB: Math.round(peak),
    searchP50Ms: { before: Number(p50.before.toFixed(2)), during: Number(p50.during.toFixed(2)) },
    searchesDuring: during.length,
    duringOverBefore: Number((p50.during / p50.before).toFixed(2)),
  };
  results.push(result);
  console.log(
    `${n} records, 64-d → 96-d: ${result.recordsPerSecond} records/s (${result.seconds} s, ${report.missing} left); reembed peak RSS ${result.rssPeakMiB} MiB; ` +
      `search p50 ${result.searchP50Ms.before} ms before, ${result.searchP50Ms.during} ms during (${during.length} searches): ${result.duringOverBefore}×`,
  );
  await facades.closeAll();
  await database.drop();
}
await mkdir(new URL('./results', import.meta.url), { recursive: true });
await writeFile(new URL('./results/reembed.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
for (const dir of [v1, v2]) rmSync(dir, { recursive: true, force: true });
