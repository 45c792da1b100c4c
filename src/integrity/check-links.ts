/**
 * `db.integrity.check()` and `.sweep()`: each linked collection paged by key over the records written in the
 * window, the documents they reference looked up in MongoDB a batch at a time, and the records whose document is
 * gone (or holds another tenant) reported, or deleted once older than the grace period. One page in memory at a
 * time, whatever the collection's size.
 */
import type { Db } from 'mongodb';
import type { Cascade } from './cascade.js';
import { ANY_CASE_ID, findDocuments } from './document-lookup.js';
import { checkDocumentVectors } from './document-vectors.js';
import type { CheckOptions, CollectionIntegrity, LinkedCollection, Orphan, OrphanReason, SweepOptions } from './integrity-options.js';
import { type SweepProgress, takeSweepLease } from './sweep-state.js';
import type { DocumentLink } from '../runtime/contract/document-link.js';
import type { LinkedRow } from '../runtime/contract/linked-records.js';

type Scan = { scanned: number; deleted: number; kept: number; orphans: number; reasons: Record<OrphanReason, number> };

/**
 * `cascade`: its outbox is delivered before a check or a sweep looks (an entry there is no orphan to find).
 * `closing`: ends a sweep's wait for another process's lease (the facade is closing).
 */
export function integrity(collections: readonly LinkedCollection[], mongo: () => Promise<Db>, cascade?: Pick<Cascade, 'drain'>, closing?: AbortSignal) {
  const chosen = (name: string | undefined) => (name === undefined ? collections : collections.filter((candidate) => candidate.name === name));

  /**
   * One collection's pages from `from.cursor`; each page's orphans to `onPage`, which deletes (a sweep) or not and
   * counts it in `counts`.
   */
  async function scan(db: Db, collection: LinkedCollection, options: CheckOptions, from: { cursor?: string | undefined; counts?: Partial<Scan> }, onPage?: (page: { orphans: Orphan[]; rows: LinkedRow[]; cursor: string; counts: Scan }) => Promise<void>): Promise<Scan> {
    const batch = options.batchSize ?? 1_000;
    const window = { since: options.since, until: options.until };
    const counts: Scan = { scanned: 0, deleted: 0, kept: 0, orphans: 0, ...from.counts, reasons: { 'document-missing': 0, 'other-tenant': 0, 'not-a-document-id': 0, ...from.counts?.reasons } };
    const total = await collection.records.count(window);
    let cursor = from.cursor;
    for (;;) {
      options.signal?.throwIfAborted();
      const rows = await collection.records.page(window, cursor, batch);
      if (rows.length === 0) break;
      const orphans = await orphansOf(db, collection.links, rows);
      counts.scanned += rows.length;
      counts.orphans += orphans.length;
      for (const orphan of orphans) counts.reasons[orphan.reason] += 1;
      if (orphans.length > 0) options.onOrphans?.(collection.name, orphans);
      cursor = rows.at(-1)!.key;
      await onPage?.({ orphans, rows, cursor, counts });
      options.onProgress?.({ collection: collection.name, scanned: counts.scanned, total: Math.max(total, counts.scanned), orphans: counts.orphans, deleted: counts.deleted });
      if (rows.length < batch) break;
    }
    return counts;
  }

  return {
    /** Reports each linked collection's orphans, deleting nothing. */
    async check(options: CheckOptions = {}): Promise<CollectionIntegrity[]> {
      options.signal?.throwIfAborted();
      const db = await mongo();
      await cascade?.drain();
      const reports: CollectionIntegrity[] = [];
      for (const collection of chosen(options.collection)) {
        const { scanned, orphans, reasons } = await scan(db, collection, options, {});
        const documents = await checkDocumentVectors(db, collection, options);
        reports.push({ collection: collection.name, scanned, orphans, reasons, ...(documents ? { documents } : {}) });
      }
      return reports;
    },

    /**
     * Deletes the orphans last written more than `olderThanMs` ago, a page at a time, under the collection's
     * lease (a second sweep waits for the first); a sweep killed midway resumes after its last page.
     */
    async sweep(options: SweepOptions): Promise<CollectionIntegrity[]> {
      options.signal?.throwIfAborted();
      const db = await mongo();
      await cascade?.drain();
      const reports: CollectionIntegrity[] = [];
      // A wait for another process's lease ends with the caller's signal, or when the facade closes.
      const waitEnds = AbortSignal.any([options.signal, closing].filter((signal) => signal !== undefined));
      for (const collection of chosen(options.collection)) {
        if (options.dryRun) {
          const cutoff = new Date(Date.now() - options.olderThanMs);
          const counts = await scan(db, collection, options, {}, async ({ orphans, counts: so }) => void (so.kept += orphans.filter((orphan) => orphan.writtenAt >= cutoff).length));
          reports.push({ collection: collection.name, ...counts });
          continue;
        }
        const lease = await takeSweepLease(db, collection.name, waitEnds, (holder) => options.onWait?.(collection.name, holder));
        const cutoff = new Date(Date.now() - options.olderThanMs);
        // A sweep of the same window resumes, keeping the earlier of its cutoff and this call's (never a shorter grace
        // than either asked); one of another window starts afresh, its pages being others.
        const resumed = lease.resumed && sameTime(lease.resumed.since, options.since) && sameTime(lease.resumed.until, options.until) ? lease.resumed : undefined;
        const progress: SweepProgress = resumed ? { ...resumed, cutoff: new Date(Math.min(resumed.cutoff.getTime(), cutoff.getTime())) } : { cutoff, since: options.since, until: options.until, scanned: 0, deleted: 0, kept: 0, orphans: 0, reasons: {}, startedAt: new Date() };
        try {
          const counts = await scan(db, collection, options, { cursor: progress.cursor, counts: { scanned: progress.scanned, deleted: progress.deleted, kept: progress.kept, orphans: progress.orphans, reasons: progress.reasons as Scan['reasons'] } }, async ({ orphans, rows, cursor, counts: so }) => {
            const old = orphans.filter((orphan) => orphan.writtenAt < progress.cutoff);
            const deleted = await collection.records.deleteWrittenBefore(rowsOf(rows, old), progress.cutoff);
            if (deleted > 0) await collection.invalidate();
            so.deleted += deleted;
            // Kept: younger than the grace, or written again since the cutoff (the conditioned delete passed them over).
            so.kept += orphans.length - deleted;
            Object.assign(progress, { cursor, scanned: so.scanned, deleted: so.deleted, kept: so.kept, orphans: so.orphans, reasons: so.reasons });
            await lease.save(progress);
          });
          await lease.finish(progress);
          reports.push({ collection: collection.name, ...counts, ...(resumed ? { resumed: true } : {}) });
        } catch (error) {
          await lease.release().catch(() => undefined);
          throw error;
        }
      }
      return reports;
    },
  };
}

const sameTime = (a: Date | undefined, b: Date | undefined) => a?.getTime() === b?.getTime();

/** The rows of a page whose ids are among `orphans`. */
const rowsOf = (rows: readonly LinkedRow[], orphans: readonly Orphan[]) => {
  const ids = new Set(orphans.map((orphan) => orphan.id));
  return rows.filter((row) => ids.has(row.id));
};

/** A page's orphans: the first broken link of each record, in page order. */
async function orphansOf(db: Db, links: readonly DocumentLink[], rows: readonly LinkedRow[]): Promise<Orphan[]> {
  const broken = new Map<LinkedRow, Orphan>();
  for (const link of links) {
    const referenced = new Set(rows.flatMap((row) => (row.refs[link.field] === null ? [] : [row.refs[link.field]!])));
    const found = await findDocuments(db, link, referenced);
    for (const row of rows) {
      const document = row.refs[link.field];
      if (document === null || broken.has(row)) continue;
      const tenant = found.get(document.toLowerCase());
      const reason: OrphanReason | undefined = !ANY_CASE_ID.test(document) ? 'not-a-document-id' : tenant === undefined ? 'document-missing' : link.tenant && tenant !== null && tenant !== row.tenant ? 'other-tenant' : undefined;
      if (reason) broken.set(row, { id: row.id, tenant: row.tenant, field: link.field, document, reason, writtenAt: row.writtenAt });
    }
  }
  return rows.flatMap((row) => (broken.has(row) ? [broken.get(row)!] : []));
}
