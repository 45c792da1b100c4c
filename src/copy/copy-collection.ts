/**
 * `polystore vectors copy`: moves a collection between backends in pages of the source's primary-key order, the
 * next page read while the last one is written, resumable from a state file (the source's cursor), idempotent
 * (every write is an upsert), and verified at the end by counts and a checksum over a sample of records read
 * back from both sides. Memory holds a page or two and the sample, whatever the collection's size.
 */
import { createHash } from 'node:crypto';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { PolystoreError } from '../errors.js';
import type { PagedStore } from '../runtime/contract/backend-store.js';
import { VECTOR_ELEMENT } from '../runtime/contract/float16.js';
import type { VectorCollectionDescriptor, VectorRecordBase } from '../runtime/contract/vector-store.js';

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
  /** Stops the copy: the batch being written is rolled back (PostgreSQL) or undone (Milvus); the state file keeps the place. */
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
  /** The source's cursor after the last page written. */
  cursor: string;
  copied: number;
  /** Ids of the records sampled so far, checked at the end. */
  sampled: string[];
}

type Page = Awaited<ReturnType<PagedStore<VectorRecordBase, never>['page']>>;

export async function copyCollection(
  descriptor: VectorCollectionDescriptor,
  storeOn: (backend: Backend) => PagedStore<VectorRecordBase, never>,
  options: CopyOptions,
): Promise<CopyReport> {
  if (options.from === options.to) throw new PolystoreError('INVALID_INPUT', `copy: --from and --to are both ${options.from}`);
  const [source, target] = [storeOn(options.from), storeOn(options.to)];
  const batchSize = options.batchSize ?? 500;
  const total = await source.count();
  const state = await readState(options.statePath, descriptor.name, options);
  const resumedAt = state?.copied ?? 0;
  let cursor = state?.cursor;
  let copied = resumedAt;
  const sampled = state?.sampled ?? [];
  const inSample = sampler(total, options.sampleSize ?? 1_000);
  options.onProgress?.(copied, total);

  const interrupted = () => new PolystoreError('COPY_INTERRUPTED', `copy: stopped after ${copied} of ${total} records; run it again to resume`);
  let next: Promise<Page> = source.page(cursor, batchSize);
  for (;;) {
    const page = await next;
    if (page.records.length === 0) break;
    // The next page is read while this one is written.
    next = page.records.length < batchSize ? Promise.resolve({ records: [], cursor: page.cursor }) : source.page(page.cursor, batchSize);
    next.catch(() => undefined); // its failure is reported where it is awaited, not as unhandled if the write fails first
    // An aborted signal refuses the upsert before anything is sent.
    await target.upsert(page.records, { signal: options.signal }).catch((error: unknown) => {
      throw error instanceof PolystoreError && error.code === 'ABORTED' ? interrupted() : error;
    });
    copied += page.records.length;
    cursor = page.cursor;
    sampled.push(...page.records.map((record) => record.id).filter(inSample));
    await writeState(options.statePath, { collection: descriptor.name, from: options.from, to: options.to, cursor: cursor!, copied, sampled });
    options.onProgress?.(copied, Math.max(total, copied));
  }

  const [sourceCount, targetCount] = await Promise.all([source.count(), target.count()]);
  const [sourceChecksum, targetChecksum] = await Promise.all([checksum(descriptor, source, sampled), checksum(descriptor, target, sampled)]);
  const report = { total: copied, resumedAt, sourceCount, targetCount, sampled: sampled.length, sourceChecksum, targetChecksum };
  if (sourceCount !== targetCount || sourceChecksum !== targetChecksum) {
    throw new PolystoreError(
      'COPY_VERIFICATION_FAILED',
      `copy: ${options.from} has ${sourceCount} records, ${options.to} has ${targetCount}; checksums of ${sampled.length} sampled records ${sourceChecksum === targetChecksum ? 'agree' : 'differ'}`,
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

/**
 * About `size` of `total` ids, spread over the whole collection, chosen by a hash of the id: the same ids on
 * every run, with no list of every id to draw from.
 */
function sampler(total: number, size: number): (id: string) => boolean {
  const share = total <= size ? 1 : size / total;
  return (id) => createHash('sha256').update(id).digest().readUInt32BE(0) / 2 ** 32 < share;
}

/**
 * SHA-256 of the records in a form both backends agree on: sorted JSON keys, vectors at the precision the
 * collection stores (float16 for halfvec: a Milvus collection may hold float32 written before it was rounded).
 */
async function checksum(descriptor: VectorCollectionDescriptor, store: PagedStore<VectorRecordBase, never>, ids: readonly string[]): Promise<string> {
  const hash = createHash('sha256');
  const element = VECTOR_ELEMENT[descriptor.storage].round;
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
