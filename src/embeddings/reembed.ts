/**
 * A change of embedding model, after the migration that added the new generation: fill it from each record's
 * `from` text (keyset pages of the records it lacks, resumable: the progress is in the database), switch reads
 * to it once every record has its vector (`cutover`), back while the old one exists (`rollback`), and drop the old
 * one (`finalize`). Writes go on throughout: each writes both generations (embeddedStore), or leaves the new
 * one's vector to the next pass of a re-embed; a fill never overwrites what a write changed since it read.
 */
import type { EmbedderRunner } from './embedder-runner.js';
import { checkRecorded } from './generation-switch.js';
import { PolystoreError } from '../errors.js';
import { type EmbeddingGenerations, type EmbeddingState, noTextSource, type ReembedProgress } from '../runtime/contract/embedding-state.js';
import type { VectorCollectionDescriptor } from '../runtime/contract/vector-store.js';
import { schemaGeneration } from '../runtime/generation-view.js';

export interface ReembedOptions {
  /** Records per page (default 500). */
  batchSize?: number | undefined;
  /** Pages embedded at once (default 2); each page's texts go in the embedder's own batches and concurrency. */
  pages?: number | undefined;
  /** Count what is to do, change nothing. */
  dryRun?: boolean | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface ReembedReport {
  collection: string;
  from: string;
  to: string;
  total: number;
  /** Vectors written by this run. */
  filled: number;
  /** Records the new generation still lacks (written meanwhile without its embedder): another run fills them. */
  missing: number;
  /** Vectors the generation had when this run began (a run killed before, or writes with both embedders). */
  resumedAt: number;
  /** With `dryRun`: the records to embed and the embedder calls that takes. */
  estimate?: { records: number; calls: number } | undefined;
}

const FINAL_PASSES = 5;

/** The record, the schema's generation (the one to fill) and the other one, checked. */
async function change(descriptor: VectorCollectionDescriptor, generations: EmbeddingGenerations) {
  const state = checkRecorded(descriptor, await generations.read());
  const target = schemaGeneration(descriptor);
  const name = descriptor.name;
  if (!state.generations.some((generation) => generation.column === target.column)) {
    throw new PolystoreError('EMBEDDING_NOT_RECORDED', `"${name}": the database has no generation of ${JSON.stringify(target.model)} yet: run the migrations that add it (polystore migrate)`);
  }
  const other = state.generations.find((generation) => generation.column !== target.column);
  return { state, target, other, name };
}

export async function reembed(descriptor: VectorCollectionDescriptor, generations: EmbeddingGenerations, embedder: EmbedderRunner | undefined, options: ReembedOptions = {}): Promise<ReembedReport> {
  const { state, target, other, name } = await change(descriptor, generations);
  const from = other?.model ?? target.model;
  const batchSize = options.batchSize ?? 500;
  const counts = await generations.count(target.column);
  const report = { collection: name, from, to: target.model, total: counts.total, filled: 0, missing: counts.missing, resumedAt: counts.total - counts.missing };
  if (options.dryRun) {
    const perCall = embedder ? await embedder.batchSize() : batchSize;
    return { ...report, estimate: { records: counts.missing, calls: Math.ceil(counts.missing / Math.min(perCall, batchSize)) } };
  }
  if (!descriptor.embedding?.from) throw noTextSource(name);
  if (!embedder) throw new PolystoreError('EMBEDDER_MISSING', `"${name}": no embedder of ${JSON.stringify(target.model)}: give it in polystore.config.ts (embedders: { ${name}: … })`);
  const now = () => new Date().toISOString();
  const resumed = state.reembed?.column === target.column ? state.reembed : undefined;
  const progress: ReembedProgress = { column: target.column, model: target.model, cursor: resumed?.cursor, done: report.resumedAt, total: counts.total, startedAt: resumed?.startedAt ?? now(), updatedAt: now() };
  options.onProgress?.(progress.done, progress.total);

  /** One pass over the records the generation lacks, from `cursor`: pages read in key order, `pages` embedded at once. */
  const pass = async (cursor: string | undefined): Promise<number> => {
    let filled = 0;
    let after = cursor;
    const inFlight: Array<Promise<void>> = [];
    for (;;) {
      options.signal?.throwIfAborted();
      const rows = await generations.missing(target.column, after, batchSize);
      if (rows.length === 0) break;
      after = rows.at(-1)!.key;
      const pageEnd = after;
      const page = (async () => {
          const vectors = await embedder.embed('reembed', rows.map((row) => row.text), rows.map((row) => ['records', row.id, descriptor.embedding!.from!.field]), options.signal);
          const written = await generations.fill(target.column, rows.map((row, i) => ({ ...row, vector: vectors[i] })));
          filled += written;
          progress.done = Math.min(progress.total, progress.done + written);
          progress.cursor = pageEnd;
          progress.updatedAt = now();
          options.onProgress?.(progress.done, progress.total);
        })();
      // Awaited below; until then a failure must not count as unhandled.
      page.catch(() => {});
      inFlight.push(page);
      if (inFlight.length >= (options.pages ?? 2)) await inFlight.shift();
    }
    await Promise.all(inFlight);
    await generations.saveProgress({ ...progress });
    return filled;
  };

  const saving = setInterval(() => void generations.saveProgress({ ...progress }).catch(() => {}), 1_000);
  try {
    report.filled += await pass(resumed?.cursor);
    // Records written meanwhile without the new model's embedder, or changed under a page: passes from the start
    // until one finds nothing (or FINAL_PASSES, while writers keep adding work).
    for (let i = 0; i < FINAL_PASSES; i++) {
      const filled = await pass(undefined);
      report.filled += filled;
      if (filled === 0) break;
    }
  } catch (error) {
    // Interrupted or failed: what was written is saved for the next run (which counts it again anyway).
    await generations.saveProgress({ ...progress }).catch(() => {});
    throw error;
  } finally {
    clearInterval(saving);
  }
  const after = await generations.count(target.column);
  await generations.saveProgress({ ...progress, done: after.total - after.missing, total: after.total, cursor: undefined, updatedAt: now(), ...(after.missing === 0 ? { finishedAt: now() } : {}) });
  return { ...report, total: after.total, missing: after.missing };
}

/** Reads switch to the schema's generation, when every record has its vector. */
export async function cutover(descriptor: VectorCollectionDescriptor, generations: EmbeddingGenerations): Promise<{ collection: string; active: string; from: string }> {
  const { state, target, name } = await change(descriptor, generations);
  const previous = modelOf(state);
  if (state.active !== target.column) await activate(generations, state, target.column, name, target.model, 'polystore vectors reembed');
  return { collection: name, active: target.model, from: previous };
}

/** Reads switch back to the previous generation, while it exists. */
export async function rollback(descriptor: VectorCollectionDescriptor, generations: EmbeddingGenerations): Promise<{ collection: string; active: string; from: string }> {
  const { state, target, other, name } = await change(descriptor, generations);
  if (!other) throw new PolystoreError('EMBEDDING_NO_PREVIOUS', `"${name}": there is no previous generation to go back to (it was dropped by --finalize, or the model never changed)`);
  if (state.active === other.column) return { collection: name, active: other.model, from: other.model };
  // The old generation was kept up by writes that had its embedder; the others left it to fill, as a cutover would.
  await activate(generations, state, other.column, name, other.model, 'write them with the old model\'s embedder configured, or cut over again');
  return { collection: name, active: other.model, from: target.model };
}

/** Drops the previous generation, after the cutover; resolves to the generations dropped (columns or collections). */
export async function finalize(descriptor: VectorCollectionDescriptor, generations: EmbeddingGenerations): Promise<{ collection: string; dropped: string[]; active: string }> {
  const { state, target, other, name } = await change(descriptor, generations);
  if (state.active !== target.column) {
    throw new PolystoreError('EMBEDDING_NOT_CUT_OVER', `"${name}": reads still use ${JSON.stringify(modelOf(state))}; --finalize drops the previous generation only after --cutover`);
  }
  if (!other) return { collection: name, dropped: [], active: target.model };
  return { collection: name, dropped: await generations.dropInactive(state.version), active: target.model };
}

const modelOf = (state: EmbeddingState) => state.generations.find((generation) => generation.column === state.active)?.model ?? state.active;

async function activate(generations: EmbeddingGenerations, state: EmbeddingState, column: string, name: string, model: string, remedy: string): Promise<void> {
  const { missing } = await generations.activate(column, state.version);
  if (missing > 0) {
    const { total } = await generations.count(column);
    throw new PolystoreError('EMBEDDING_INCOMPLETE', `"${name}": ${missing} of ${total} records have no vector of ${JSON.stringify(model)} for their current text; nothing was switched: ${remedy}`);
  }
}
