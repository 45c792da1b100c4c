/** The `polystore vectors copy` command: opens the project's generated facade and runs copyCollection. */
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type ConnectionFlags, openProject } from './project.js';
import { copyCollection } from '../copy/copy-collection.js';
import { PolystoreError } from '../errors.js';

export interface CopyFlags extends ConnectionFlags {
  from: 'pgvector' | 'milvus';
  to: 'pgvector' | 'milvus';
  batch: number;
  state?: string;
  sample: number;
}

export async function runCopy(collection: string, flags: CopyFlags): Promise<void> {
  const needs = (backend: string, what: string) => (flags.from === backend || flags.to === backend ? `copying to or from ${what}` : undefined);
  const { out, descriptors, runtime } = await openProject(flags, { postgres: needs('pgvector', 'pgvector'), milvus: needs('milvus', 'Milvus') });
  const descriptor = descriptors.find((candidate) => candidate.name === collection);
  if (!descriptor) {
    await runtime.close();
    throw new PolystoreError('UNKNOWN_COLLECTION', `no vector collection "${collection}" (have ${descriptors.map((d) => d.name).join(', ') || 'none'})`);
  }
  // On a terminal only, and cleared when it stops: what stays is the result's line or the error's, one `polystore: …`.
  const bar = new SingleBar({ format: `${collection} ${flags.from} → ${flags.to} [{bar}] {value}/{total} {percentage}% eta {eta_formatted}`, clearOnComplete: true });
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
