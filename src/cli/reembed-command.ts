/**
 * `polystore vectors reembed <collection>`: fills the schema's new generation of embeddings with the embedder
 * polystore.config.ts gives (a progress bar with rate and ETA on a terminal); `--cutover`, `--rollback` and
 * `--finalize` switch reads or drop the previous generation. What a run did is its last line (or `--json`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type ConnectionFlags, openProject } from './project.js';
import { cutover, finalize, reembed, rollback } from '../embeddings/reembed.js';
import { PolystoreError } from '../errors.js';
import { schemaGeneration } from '../runtime/generation-view.js';
import { GENERATIONS_FILE, readGenerations, writeGenerations } from '../schema/embedding-generations.js';

export interface ReembedFlags extends ConnectionFlags {
  cutover?: boolean;
  rollback?: boolean;
  finalize?: boolean;
  dryRun?: boolean;
  batch: number;
  concurrency?: number;
  rate?: number;
  json?: boolean;
}

export async function runReembed(collection: string, flags: ReembedFlags): Promise<void> {
  const steps = [flags.cutover && '--cutover', flags.rollback && '--rollback', flags.finalize && '--finalize', flags.dryRun && '--dry-run'].filter(Boolean);
  if (steps.length > 1) throw new PolystoreError('INVALID_INPUT', `give one of ${steps.join(', ')}`);
  const { out, descriptors, runtime } = await openProject(flags, { postgres: undefined, milvus: 'when-used' });
  try {
    const descriptor = descriptors.find((candidate) => candidate.name === collection);
    if (!descriptor) throw new PolystoreError('UNKNOWN_COLLECTION', `no vector collection "${collection}" (have ${descriptors.map((d) => d.name).join(', ') || 'none'})`);
    if (!descriptor.embedding) throw new PolystoreError('EMBEDDING_NOT_DECLARED', `"${collection}" declares no embedding model: add embedding: { model, dimension, from } to it in the schema`);
    const { generations, run, embedder } = runtime.embeddings(descriptor);
    const print = (result: object, line: string) => console.log(flags.json ? JSON.stringify(result) : `polystore: ${line}`);
    if (flags.cutover) {
      const result = await run('reembed --cutover', () => cutover(descriptor, generations));
      return print(result, `"${collection}" reads ${JSON.stringify(result.active)}${result.from === result.active ? ' (already)' : ` (was ${JSON.stringify(result.from)}); --rollback goes back while the old vectors exist`}.`);
    }
    if (flags.rollback) {
      const result = await run('reembed --rollback', () => rollback(descriptor, generations));
      return print(result, `"${collection}" reads ${JSON.stringify(result.active)} again.`);
    }
    if (flags.finalize) {
      const result = await run('reembed --finalize', () => finalize(descriptor, generations));
      const marked = markDropped(out, collection, result.dropped);
      const next = marked ? ` Run polystore generate and commit drizzle/ and generated/: the migration it writes drops them in the other databases, once they have cut over (${GENERATIONS_FILE} marks them dropped).` : '';
      return print(result, result.dropped.length === 0 ? `"${collection}" has no previous generation left.` : `dropped the previous vectors of "${collection}" (${result.dropped.join(', ')}); it reads ${JSON.stringify(result.active)}.${next}`);
    }
    const target = schemaGeneration(descriptor);
    const runner = embedder(target.column, { concurrency: flags.concurrency, requestsPerMinute: flags.rate });
    const bar = new SingleBar({ format: `${collection} → ${target.model} [{bar}] {value}/{total} {percentage}% {speed} records/s eta {eta_formatted}`, clearOnComplete: true, etaBuffer: 50 });
    const stop = new AbortController();
    const interrupt = () => stop.abort(new PolystoreError('ABORTED', 'interrupted: the progress is saved, run the command again to resume'));
    process.once('SIGINT', interrupt);
    const started = performance.now();
    let shown = false;
    let first = 0;
    try {
      const report = await run('reembed', () =>
        reembed(descriptor, generations, runner, {
          batchSize: flags.batch,
          dryRun: flags.dryRun,
          signal: stop.signal,
          onProgress(done, total) {
            if (!shown) {
              first = done;
              if (process.stderr.isTTY) bar.start(total, done, { speed: '0' });
            }
            shown = true;
            bar.update(done, { speed: ((done - first) / ((performance.now() - started) / 1000)).toFixed(0) });
          },
        }),
      );
      bar.stop();
      if (report.estimate) return print(report, `"${collection}": ${report.estimate.records} of ${report.total} records to embed with ${JSON.stringify(report.to)}, in about ${report.estimate.calls} embedder calls (nothing was changed).`);
      const seconds = (performance.now() - started) / 1000;
      const left = report.missing > 0 ? ` ${report.missing} records written meanwhile still lack it: run again.` : ' Every record has it: --cutover switches reads.';
      print({ ...report, seconds }, `"${collection}": ${report.filled} vectors of ${JSON.stringify(report.to)} written in ${seconds.toFixed(1)} s${report.resumedAt > 0 ? ` (resumed: ${report.resumedAt} had one)` : ''}.${left}`);
    } finally {
      bar.stop();
      process.off('SIGINT', interrupt);
    }
  } finally {
    await runtime.close();
  }
}

/** The dropped generations marked in the project's record, for the next generate; false without one. */
function markDropped(out: string, collection: string, columns: string[]): boolean {
  const drizzle = join(out, 'drizzle');
  if (columns.length === 0 || !existsSync(join(drizzle, GENERATIONS_FILE))) return false;
  const generations = readGenerations(drizzle);
  generations[collection] = (generations[collection] ?? []).map((generation) => (columns.includes(generation.column) ? { ...generation, dropped: true as const } : generation));
  writeGenerations(drizzle, generations);
  return true;
}
