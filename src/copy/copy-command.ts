/** The `polystore vectors copy` command: opens the project's generated facade and runs copyCollection. */
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SingleBar } from 'cli-progress';
import { createJiti } from 'jiti';
import { PolystoreError } from '../errors.js';
import { createRuntime } from '../runtime/create-runtime.js';
import type { PolystoreOptions } from '../runtime/options.js';
import type { VectorCollectionDescriptor } from '../runtime/vector-store.js';
import { copyCollection } from './copy-collection.js';

export interface CopyFlags {
  from: 'pgvector' | 'milvus';
  to: 'pgvector' | 'milvus';
  out: string;
  postgres?: string;
  pgliteDir?: string;
  milvus?: string;
  milvusToken?: string;
  milvusDatabase?: string;
  batch: number;
  state?: string;
  sample: number;
}

const jiti = createJiti(import.meta.url, { fsCache: false, interopDefault: true });

const isDescriptor = (value: unknown): value is VectorCollectionDescriptor =>
  typeof value === 'object' && value !== null && 'milvus' in value && 'fields' in value && 'dimension' in value;

export async function runCopy(collection: string, flags: CopyFlags): Promise<void> {
  const out = resolve(flags.out);
  const [vectorsFile, schemaFile] = [join(out, 'generated/vectors.ts'), join(out, 'drizzle/schema.ts')];
  if (!existsSync(vectorsFile)) throw new PolystoreError('GENERATED_NOT_FOUND', `${vectorsFile} not found: run \`polystore generate\` first, or point --out at its root`);
  const descriptors = Object.values(await jiti.import<Record<string, unknown>>(vectorsFile)).filter(isDescriptor);
  const descriptor = descriptors.find((candidate) => candidate.name === collection);
  if (!descriptor) throw new PolystoreError('UNKNOWN_COLLECTION', `no vector collection "${collection}" (have ${descriptors.map((d) => d.name).join(', ') || 'none'})`);
  const uses = (backend: string) => flags.from === backend || flags.to === backend;
  if (uses('pgvector') && !flags.postgres && !flags.pgliteDir) throw new PolystoreError('INVALID_INPUT', 'copying to or from pgvector needs --postgres <url> or --pglite-dir <dir>');
  if (uses('milvus') && !flags.milvus) throw new PolystoreError('INVALID_INPUT', 'copying to or from Milvus needs --milvus <address or path.db>');

  const options: PolystoreOptions = {
    ...(flags.postgres ? { postgres: flags.postgres } : { pglite: { dataDir: flags.pgliteDir } }),
    ...(flags.milvus ? { milvus: { address: flags.milvus, token: flags.milvusToken, database: flags.milvusDatabase } } : {}),
  };
  const schema = await jiti.import<Record<string, unknown>>(schemaFile);
  const runtime = createRuntime(schema, pathToFileURL(join(out, 'generated/index.ts')).href, descriptors.map((d) => d.name), options);
  const bar = new SingleBar({ format: `${collection} ${flags.from} → ${flags.to} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}`, noTTYOutput: true, notTTYSchedule: 5_000 });
  const stop = new AbortController();
  const interrupt = () => stop.abort();
  process.once('SIGINT', interrupt);
  let started = false;
  try {
    const report = await copyCollection(descriptor, (backend) => runtime.backendStore(descriptor, backend), {
      from: flags.from,
      to: flags.to,
      batchSize: flags.batch,
      sampleSize: flags.sample,
      statePath: flags.state ?? join(out, `.polystore-copy-${collection}-${flags.from}-${flags.to}.json`),
      signal: stop.signal,
      onProgress(copied, total) {
        if (!started) bar.start(total, copied);
        started = true;
        bar.update(copied);
      },
    });
    bar.stop();
    console.log(
      `polystore: copied ${report.total - report.resumedAt} of ${report.total} records of "${collection}"${report.resumedAt > 0 ? ` (resumed after ${report.resumedAt})` : ''}; ` +
        `verified: ${report.targetCount} records on both sides, ${report.sampled} sampled records match (sha256 ${report.targetChecksum.slice(0, 16)}…).`,
    );
  } finally {
    if (started) bar.stop();
    process.off('SIGINT', interrupt);
    await runtime.close();
  }
}
