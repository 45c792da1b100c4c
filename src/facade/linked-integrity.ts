/**
 * The facade's part of the links between vector collections and documents: each linked collection's records
 * through its backend, the cascade of `db.documents()` deletes with its outbox, and `db.integrity`. The outbox and
 * the check read MongoDB through the driver, on `mongodb: { url }` or else MONGODB_URL (what Prisma reads).
 */
import type { Cascade } from '../integrity/cascade.js';
import { cascade as openCascade } from '../integrity/cascade.js';
import { checkIntegrityOptions } from '../integrity/check-integrity-options.js';
import { integrity } from '../integrity/check-links.js';
import { withDocumentCascade } from '../integrity/document-cascade.js';
import type { CheckOptions, Integrity, SweepOptions } from '../integrity/integrity-options.js';
import { outbox } from '../integrity/outbox.js';
import { PolystoreError } from '../errors.js';
import { linksOf } from '../runtime/contract/document-link.js';
import type { LinkedRecords } from '../runtime/contract/linked-records.js';
import type { VectorCollectionDescriptor } from '../runtime/contract/vector-store.js';
import { type MongoConnection, openMongo } from '../runtime/mongodb/mongo-connection.js';

/** How long `close()` gives the outbox's last delivery. */
const CLOSE_DRAIN_MS = 5_000;

export interface LinkedIntegrityDeps {
  collections: readonly VectorCollectionDescriptor[];
  recordsOf(descriptor: VectorCollectionDescriptor): LinkedRecords;
  invalidate(collection: string): Promise<void>;
  /** The facade's MongoDB of `mongodb: { url }`, if any. */
  mongo: MongoConnection | undefined;
  run<R>(operation: string, call: () => Promise<R>): Promise<R>;
  /** Aborted once close() began: a sweep waiting for another process's lease gives up. */
  closing: AbortSignal;
}

export function linkedIntegrity({ collections, recordsOf, invalidate, mongo, run, closing }: LinkedIntegrityDeps) {
  const linked = collections.filter((descriptor) => linksOf(descriptor).length > 0);
  const names = linked.map((descriptor) => descriptor.name);
  // Opened only for a schema with links: its own connection, closed by close().
  const own = mongo || linked.length === 0 ? undefined : openMongo(process.env.MONGODB_URL);
  const documentsMongo = mongo ?? own;
  const db = async () => {
    if (!documentsMongo) throw new PolystoreError('MONGODB_NOT_CONFIGURED', 'the documents the vectors link to are in MongoDB: give createPolystore() mongodb: { url }, or set MONGODB_URL (the CLI: --mongodb)');
    return documentsMongo.db();
  };
  const stores = linked.map((descriptor) => ({ name: descriptor.name, links: linksOf(descriptor), records: recordsOf(descriptor), invalidate: () => invalidate(descriptor.name) }));
  const cascade: Cascade | undefined = linked.length > 0 ? openCascade(stores, outbox(db), db) : undefined;
  const checks = integrity(stores, db, cascade, closing);
  let cascading = false;

  const api: Integrity = {
    check: (options?: CheckOptions) =>
      run('integrity.check', async () => {
        checkIntegrityOptions('integrity.check', options, names);
        return checks.check(options);
      }),
    sweep: (options: SweepOptions) =>
      run('integrity.sweep', async () => {
        checkIntegrityOptions('integrity.sweep', options, names);
        return checks.sweep(options);
      }),
  };
  return {
    integrity: api,
    /** MongoDB as the health probe sees it: the facade's, or the one opened for the outbox. */
    mongo: documentsMongo,
    /** The outbox's length, for db.health(); undefined without links. */
    outboxLength: cascade && (() => cascade.length()),
    /** The application's client with the cascade; `base` is the client before any extension. */
    documents<C extends object>(client: C, base: object): C {
      if (cascade) cascading = true;
      return withDocumentCascade(client, base, cascade);
    },
    /** Before the connections close: the outbox delivered, if this facade cascaded, for at most CLOSE_DRAIN_MS. */
    async beforeClose(): Promise<void> {
      if (!cascade || !cascading) return;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_DRAIN_MS)));
      await Promise.race([cascade.drain().catch(() => undefined), timeout]);
      clearTimeout(timer);
    },
    close: async () => own?.close(),
  };
}
