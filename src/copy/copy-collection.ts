/**
 * `polystore vectors copy`: moves a collection between backends in id order, in batches, resumable from a
 * state file (the last id copied), idempotent (every write is an upsert), and verified at the end by counts
 * and a checksum over a sample of records read back from both sides.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { PolystoreError } from '../errors.js';
import { float16Round } from '../runtime/float16.js';
import type { BackendStore, VectorCollectionDescriptor, VectorRecordBase } from '../runtime/vector-store.js';

type Backend = 'pgvector' | 'milvus';

export interface CopyOptions {
  from: Backend;
  to: Backend;
  /** Records per read and write (default 500). */
  batchSize?: number;
  /** Where progress is kept between runs; removed when a copy completes. */
  statePath: string;
  /** Records compared by checksum at the end (default 1,000). */
  sampleSize?: number;
  /** Called after every batch with the records copied so far (this run and earlier ones) and the total. */
  onProgress?(copied: number, total: number): void;
  /** Stops between batches; the state file keeps the place. */
  signal?: AbortSignal;
}

export interface CopyReport {
  total: number;
  /** Copied in earlier, interrupted runs. */
  resumedAt: number;
  sourceCount: number;
  targetCount: number;
  sampled: number;
  sourceChecksum: string;
  targetChecksum: string;
}

interface CopyState {
  collection: string;
  from: Backend;
  to: Backend;
  cursor: string;
}

export async function copyCollection(
  descriptor: VectorCollectionDescriptor,
  storeOn: (backend: Backend) => BackendStore<VectorRecordBase, never>,
  options: CopyOptions,
): Promise<CopyReport> {
  if (options.from === options.to) throw new PolystoreError('INVALID_INPUT', `copy: --from and --to are both ${options.from}`);
  const [source, target] = [storeOn(options.from), storeOn(options.to)];
  const batchSize = options.batchSize ?? 500;
  // One order on both sides and across runs: JavaScript's, not a database collation.
  const ids = (await source.ids()).sort();
  const state = await readState(options.statePath, descriptor.name, options);
  const start = state ? ids.findIndex((id) => id > state.cursor) : 0;
  const resumedAt = start === -1 ? ids.length : start;
  options.onProgress?.(resumedAt, ids.length);

  for (let at = resumedAt; at < ids.length; at += batchSize) {
    if (options.signal?.aborted) throw new PolystoreError('COPY_INTERRUPTED', `copy: stopped after ${at} of ${ids.length} records; run it again to resume`);
    const batch = ids.slice(at, at + batchSize);
    await target.upsert(await source.get(batch));
    await writeState(options.statePath, { collection: descriptor.name, from: options.from, to: options.to, cursor: batch.at(-1)! });
    options.onProgress?.(Math.min(at + batchSize, ids.length), ids.length);
  }

  const [sourceCount, targetCount] = await Promise.all([source.count(), target.count()]);
  const sample = sampleIds(ids, options.sampleSize ?? 1_000);
  const [sourceChecksum, targetChecksum] = await Promise.all([checksum(descriptor, source, sample), checksum(descriptor, target, sample)]);
  const report = { total: ids.length, resumedAt, sourceCount, targetCount, sampled: sample.length, sourceChecksum, targetChecksum };
  if (sourceCount !== targetCount || sourceChecksum !== targetChecksum) {
    throw new PolystoreError(
      'COPY_VERIFICATION_FAILED',
      `copy: ${options.from} has ${sourceCount} records, ${options.to} has ${targetCount}; checksums of ${sample.length} sampled records ${sourceChecksum === targetChecksum ? 'agree' : 'differ'}`,
    );
  }
  await rm(options.statePath, { force: true });
  return report;
}

async function readState(path: string, collection: string, options: CopyOptions): Promise<CopyState | undefined> {
  const text = await readFile(path, 'utf8').catch(() => undefined);
  if (text === undefined) return undefined;
  const state = JSON.parse(text) as CopyState;
  if (state.collection !== collection || state.from !== options.from || state.to !== options.to) {
    throw new PolystoreError('COPY_STATE_MISMATCH', `copy: ${path} belongs to a copy of "${state.collection}" from ${state.from} to ${state.to}; remove it or name another --state`);
  }
  return state;
}

async function writeState(path: string, state: CopyState): Promise<void> {
  await writeFile(`${path}.tmp`, JSON.stringify(state));
  await rename(`${path}.tmp`, path);
}

/** Evenly spaced over the whole id range, so that every stretch of the copy is checked. */
function sampleIds(ids: readonly string[], size: number): string[] {
  if (ids.length <= size) return [...ids];
  return Array.from({ length: size }, (_, i) => ids[Math.floor((i * ids.length) / size)]);
}

/**
 * SHA-256 of the records in a form both backends agree on: sorted JSON keys, vectors at the precision the
 * collection stores (float16 for halfvec: a Milvus collection may hold float32 written before it was rounded).
 */
async function checksum(descriptor: VectorCollectionDescriptor, store: BackendStore<VectorRecordBase, never>, ids: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  const element = descriptor.storage === 'halfvec' ? float16Round : Math.fround;
  for (let at = 0; at < ids.length; at += 1_000) {
    for (const record of await store.get(ids.slice(at, at + 1_000))) hash.update(canonical({ ...record, embedding: record.embedding.map(element) }));
  }
  return hash.digest('hex');
}

function canonical(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
