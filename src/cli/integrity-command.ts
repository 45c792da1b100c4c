/**
 * `polystore integrity check`: each linked collection's vectors whose document is gone, per collection; with
 * `--sweep --older-than 1h` deleted (a progress bar on a terminal), `--dry-run` listing them instead. A check
 * exits 1 when it finds orphans or documents missing vectors; a sweep exits 0 when it went through.
 */
import { SingleBar } from 'cli-progress';
import ms from 'ms';
import { type ConnectionFlags, openProject } from './project.js';
import { PolystoreError } from '../errors.js';
import type { CollectionIntegrity, Orphan } from '../integrity/integrity-options.js';

export interface IntegrityFlags extends ConnectionFlags {
  collection?: string;
  since?: string;
  until?: string;
  sweep?: boolean;
  olderThan?: string;
  dryRun?: boolean;
  batch: number;
  json?: boolean;
}

/** A duration (`90s`, `1h`, `7d`) in milliseconds; `flag` names it in the error. */
export function duration(text: string, flag: string): number {
  const value = /^\s*\d/.test(text) ? ms(text.trim() as ms.StringValue) : Number.NaN;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new PolystoreError('INVALID_INPUT', `${flag}: expected a duration such as 30m, 1h or 7d, got ${JSON.stringify(text)}`);
  return value;
}

/** An ISO 8601 time, or a duration meaning that long ago (`--since 24h`). */
function time(text: string | undefined, flag: string): Date | undefined {
  if (text === undefined) return undefined;
  if (/^\d{4}-\d{2}-\d{2}/.test(text.trim())) {
    const date = new Date(text);
    if (!Number.isNaN(date.getTime())) return date;
    throw new PolystoreError('INVALID_INPUT', `${flag}: ${JSON.stringify(text)} is no valid time`);
  }
  return new Date(Date.now() - duration(text, flag));
}

const REASONS: Record<Orphan['reason'], string> = { 'document-missing': 'document missing', 'other-tenant': "document of another tenant", 'not-a-document-id': 'not a document id' };

function summary(report: CollectionIntegrity, flags: IntegrityFlags): string {
  const reasons = Object.entries(report.reasons).filter(([, n]) => n > 0).map(([reason, n]) => `${n} ${REASONS[reason as Orphan['reason']]}`);
  const orphans = `${report.orphans} orphan${report.orphans === 1 ? '' : 's'}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`;
  const swept = !flags.sweep ? '' : flags.dryRun ? `; ${report.orphans - report.kept!} would be deleted, ${report.kept} kept (written within ${flags.olderThan})` : `; ${report.deleted} deleted, ${report.kept} kept (written within ${flags.olderThan})`;
  const documents = report.documents ? `; ${report.documents.scanned} ${report.documents.model} documents, ${report.documents.withMissing} listing ${report.documents.missingVectors} vector ids that have no vector` : '';
  return `${report.collection}: ${report.scanned} vectors scanned${report.resumed ? ' (resumed)' : ''}, ${orphans}${swept}${documents}.`;
}

export async function runIntegrity(flags: IntegrityFlags): Promise<void> {
  if (flags.olderThan !== undefined && !flags.sweep) throw new PolystoreError('INVALID_INPUT', '--older-than applies to --sweep');
  if (flags.dryRun && !flags.sweep) throw new PolystoreError('INVALID_INPUT', '--dry-run applies to --sweep (a check deletes nothing already)');
  if (flags.sweep && flags.olderThan === undefined) throw new PolystoreError('INVALID_INPUT', '--sweep needs --older-than <duration> (such as 1h): orphans written more recently are kept, their documents may be on their way');
  const olderThanMs = flags.olderThan === undefined ? 0 : duration(flags.olderThan, '--older-than');
  const window = { since: time(flags.since, '--since'), until: time(flags.until, '--until') };
  const { runtime } = await openProject(flags, { postgres: undefined, milvus: 'when-used' });
  const bar = new SingleBar({ format: '{collection} [{bar}] {value}/{total} vectors, {orphans} orphans, {deleted} deleted, eta {eta_formatted}', clearOnComplete: true, etaBuffer: 20 });
  const stop = new AbortController();
  const interrupt = () => stop.abort(new PolystoreError('ABORTED', 'interrupted: a sweep resumes from its last batch when run again'));
  process.once('SIGINT', interrupt);
  let shown: string | undefined;
  const options = {
    ...window,
    collection: flags.collection,
    batchSize: flags.batch,
    signal: stop.signal,
    onProgress: ({ collection, scanned, total, orphans, deleted }: { collection: string; scanned: number; total: number; orphans: number; deleted: number }) => {
      if (!process.stderr.isTTY) return;
      if (shown !== collection) {
        if (shown) bar.stop();
        bar.start(total, scanned, { collection, orphans, deleted });
        shown = collection;
      }
      bar.update(scanned, { orphans, deleted });
    },
    // A dry run lists what a sweep would look at, one line a record.
    onOrphans: flags.dryRun && !flags.json ? (collection: string, orphans: readonly Orphan[]) => orphans.forEach((orphan) => console.log(`${collection} ${orphan.id}${orphan.tenant === undefined ? '' : ` tenant ${orphan.tenant}`} ${orphan.field} ${orphan.document} ${orphan.reason} written ${orphan.writtenAt.toISOString()}`)) : undefined,
  };
  const onWait = (collection: string, holder: string) => console.error(`polystore: another sweep of "${collection}" (${holder}) holds it; waiting for it to end`);
  try {
    const reports = flags.sweep ? await runtime.integrity.sweep({ ...options, olderThanMs, dryRun: flags.dryRun, onWait }) : await runtime.integrity.check(options);
    if (shown) bar.stop();
    if (flags.json) console.log(JSON.stringify(reports));
    else for (const report of reports) console.log(`polystore: ${summary(report, flags)}`);
    if (!flags.sweep && reports.some((report) => report.orphans > 0 || (report.documents?.withMissing ?? 0) > 0)) process.exitCode = 1;
  } finally {
    if (shown) bar.stop();
    process.off('SIGINT', interrupt);
    await runtime.close();
  }
}
