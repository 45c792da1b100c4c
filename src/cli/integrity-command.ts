/**
 * `polystore integrity check`: each linked collection's vectors whose document is gone, per collection; with
 * `--sweep --older-than 1h` deleted (a progress bar on a terminal), `--dry-run` listing them instead. A check, and
 * a dry run, exit 2 when they find orphans or documents missing vectors (1 is an error: it could not look); a sweep
 * exits 0 when it went through.
 */
import { SingleBar } from 'cli-progress';
import ms from 'ms';
import { type ConnectionFlags, openProject } from './project.js';
import { PolystoreError } from '../errors.js';
import { MAX_GRACE_MS } from '../integrity/check-integrity-options.js';
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

/** Exit status of a check that found orphans (or documents missing vectors), apart from 1, a check that failed. */
const FOUND_ORPHANS = 2;

/** A duration with its unit (`90s`, `1h`, `7d`) in milliseconds; `flag` names it in the error. */
export function duration(text: string, flag: string): number {
  // A bare number would be milliseconds to `ms`: never what `--older-than 1` means.
  const value = /^\s*\d+(\.\d+)?\s*[a-z]+\s*$/i.test(text) ? ms(text.trim() as ms.StringValue) : Number.NaN;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new PolystoreError('INVALID_INPUT', `${flag}: expected a duration with its unit, such as 30m, 1h or 7d, got ${JSON.stringify(text)}`);
  if (value > MAX_GRACE_MS) throw new PolystoreError('INVALID_INPUT', `${flag}: ${JSON.stringify(text)} reaches further back than a date can (at most 100000y)`);
  return value;
}

/** An ISO 8601 time (a calendar day that exists), or a duration meaning that long ago (`--since 24h`). */
function time(text: string | undefined, flag: string): Date | undefined {
  if (text === undefined) return undefined;
  const day = /^\s*(\d{4})-(\d{2})-(\d{2})/.exec(text);
  if (!day) return new Date(Date.now() - duration(text, `${flag} (an ISO 8601 time, or a duration ago)`));
  const [year, month, date] = day.slice(1).map(Number);
  // Date's parser rolls 2026-02-30 over to March 2nd: the day must be one of its month's. The calendar repeats every
  // 400 years, and Date.UTC reads years below 100 as 19xx: the month's length is taken in year 2000 + year % 400.
  const daysInMonth = new Date(Date.UTC(2000 + (year % 400), month, 0)).getUTCDate();
  const parsed = new Date(text);
  if (Number.isNaN(parsed.getTime()) || month < 1 || month > 12 || date < 1 || date > daysInMonth) throw new PolystoreError('INVALID_INPUT', `${flag}: ${JSON.stringify(text)} is no valid time`);
  return parsed;
}

const REASONS: Record<Orphan['reason'], string> = { 'document-missing': 'document missing', 'other-tenant': "document of another tenant", 'not-a-document-id': 'not a document id' };

function summary(report: CollectionIntegrity, flags: IntegrityFlags): string {
  const reasons = Object.entries(report.reasons).filter(([, n]) => n > 0).map(([reason, n]) => `${n} ${REASONS[reason as Orphan['reason']]}`);
  const orphans = `${report.orphans} orphan${report.orphans === 1 ? '' : 's'}${reasons.length > 0 ? ` (${reasons.join(', ')})` : ''}`;
  const swept = !flags.sweep ? '' : flags.dryRun ? `; ${report.orphans - report.kept!} would be deleted, ${report.kept} kept (written within ${flags.olderThan?.trim()})` : `; ${report.deleted} deleted, ${report.kept} kept (written within ${flags.olderThan?.trim()})`;
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
    if ((!flags.sweep || flags.dryRun) && reports.some((report) => report.orphans > 0 || (report.documents?.withMissing ?? 0) > 0)) process.exitCode = FOUND_ORPHANS;
  } finally {
    if (shown) bar.stop();
    process.off('SIGINT', interrupt);
    await runtime.close();
  }
}
