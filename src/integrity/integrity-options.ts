/** What `db.integrity` takes and reports (src/integrity/check-links.ts). */
import type { DocumentLink } from '../runtime/contract/document-link.js';
import type { LinkedRecords, WrittenWindow } from '../runtime/contract/linked-records.js';

/** A collection linked to documents, as the facade gives it. */
export interface LinkedCollection {
  name: string;
  links: readonly DocumentLink[];
  records: LinkedRecords;
  /** After a sweep deleted records: the cache's answers of the collection. */
  invalidate(): Promise<void>;
}

export type OrphanReason = 'document-missing' | 'other-tenant' | 'not-a-document-id';

export interface Orphan {
  id: string;
  tenant?: string | undefined;
  /** The link field, and the id it holds. */
  field: string;
  document: string;
  reason: OrphanReason;
  writtenAt: Date;
}

export interface IntegrityProgress {
  collection: string;
  scanned: number;
  total: number;
  orphans: number;
  deleted: number;
}

export interface CheckOptions extends WrittenWindow {
  /** One collection; default every collection with a link. */
  collection?: string | undefined;
  /** Records a page, and ids a MongoDB lookup (default 1,000). */
  batchSize?: number | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ((progress: IntegrityProgress) => void) | undefined;
  /** Each page's orphans, as found. */
  onOrphans?: ((collection: string, orphans: readonly Orphan[]) => void) | undefined;
}

export interface SweepOptions extends CheckOptions {
  /** The grace period: an orphan last written less than this long ago is kept (its document may be on its way). */
  olderThanMs: number;
  /** Lists, deletes nothing. */
  dryRun?: boolean | undefined;
  /** Told once when another sweep of the collection holds the lease and this one waits for it. */
  onWait?: ((collection: string, holder: string) => void) | undefined;
}

export interface CollectionIntegrity {
  collection: string;
  /** Records of the window scanned (a resumed sweep counts its earlier runs too). */
  scanned: number;
  orphans: number;
  reasons: Record<OrphanReason, number>;
  /** A sweep's: orphans deleted, and orphans kept as younger than the grace period. */
  deleted?: number;
  kept?: number;
  /** A sweep that went on from where a killed or interrupted one stopped. */
  resumed?: boolean;
  /** Where the document model lists its vectors' ids: the documents scanned, and those listing an id that has no vector. */
  documents?: DocumentVectorsReport;
}

export interface DocumentVectorsReport {
  model: string;
  scanned: number;
  /** Documents listing at least one id that has no vector, and the ids listed without one. */
  withMissing: number;
  missingVectors: number;
}

/** `db.integrity`. */
export interface Integrity {
  /** Reports each linked collection's records whose document is gone, deleting nothing. */
  check(options?: CheckOptions): Promise<CollectionIntegrity[]>;
  /** Deletes those last written more than `olderThanMs` ago; resumable, one sweep of a collection at a time. */
  sweep(options: SweepOptions): Promise<CollectionIntegrity[]>;
}
