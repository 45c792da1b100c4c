/**
 * Deleting documents through `db.documents()` (`delete`, `deleteMany`) deletes the vectors linked to them, in
 * every collection with a link to that model, within each document's tenant. The order: the documents the delete
 * matches found and written to the outbox, the documents deleted, then their vectors; a delivery that fails stays
 * in the outbox (see outbox.ts), so no failure leaves a searchable orphan unrecorded.
 */
import type { Db } from 'mongodb';
import { findDocuments } from './document-lookup.js';
import type { LinkedCollection } from './integrity-options.js';
import type { DeletedDocument, Outbox, OutboxEntry } from './outbox.js';
import type { QueryCall } from '../runtime/mongodb/documents.js';

const DELETES = new Set(['delete', 'deleteMany']);
const ENTRIES_PER_READ = 100;

/** The documents a delete matches, each with `id` and the fields named: Prisma's findUnique or findMany in production. */
export type FindMatching = (model: string, operation: 'delete' | 'deleteMany', where: unknown, fields: readonly string[]) => Promise<Array<Record<string, unknown>>>;

export interface Drained {
  delivered: number;
  /** Why the drain stopped with entries left: the first delivery that failed. */
  failure?: unknown;
}

export function cascade(collections: readonly LinkedCollection[], box: Outbox, mongo: () => Promise<Db>) {
  const targetsOf = (model: string) => collections.flatMap((collection) => collection.links.filter((link) => link.model === model).map((link) => ({ collection, link })));

  async function deliver(entry: OutboxEntry): Promise<void> {
    const targets = targetsOf(entry.model);
    if (targets.length > 0) {
      // Only documents that are gone: an entry whose delete failed names documents that still live.
      const living = await findDocuments(await mongo(), targets[0].link, new Set(entry.documents.map((document) => document.id)));
      for (const { collection, link } of targets) {
        const byTenant = new Map<string | undefined, string[]>();
        for (const document of entry.documents) {
          const tenant = link.tenant ? document.tenants[link.tenant.field] : undefined;
          // A document without the tenant its link keeps to: its vectors are left to the sweep.
          if (living.has(document.id) || tenant === null) continue;
          byTenant.set(tenant, [...(byTenant.get(tenant) ?? []), document.id]);
        }
        let deleted = 0;
        for (const [tenant, ids] of byTenant) deleted += await collection.records.deleteLinked(link.field, ids, tenant);
        if (deleted > 0) await collection.invalidate();
      }
    }
    await box.remove(entry);
  }

  /** Delivers one entry, recording its failure on it; resolves to the failure, if any. */
  const attempt = (entry: OutboxEntry): Promise<unknown> =>
    deliver(entry).then(
      () => undefined,
      async (error: unknown) => {
        await box.failed(entry, error).catch(() => undefined);
        return error;
      },
    );

  /**
   * The outbox's entries, oldest first, each tried once: one that keeps failing holds up none of the others. A
   * page with no delivery ends the drain (its store is down: the next page would fail too).
   */
  async function drain(): Promise<Drained> {
    let delivered = 0;
    let failure: unknown;
    const tried = new Set<string>();
    for (;;) {
      const entries = (await box.pending(ENTRIES_PER_READ + tried.size)).filter((entry) => !tried.has(String(entry._id)));
      if (entries.length === 0) return failure === undefined ? { delivered } : { delivered, failure };
      let page = 0;
      for (const entry of entries.slice(0, ENTRIES_PER_READ)) {
        tried.add(String(entry._id));
        const failed = await attempt(entry);
        if (failed === undefined) page += 1;
        else failure ??= failed;
      }
      delivered += page;
      if (page === 0) return { delivered, failure };
    }
  }

  /** What the Prisma extension runs around each operation; `findMatching` reads the documents a delete matches. */
  const around =
    (findMatching: FindMatching) =>
    async <A extends object>({ model, operation, args, query }: QueryCall<A>): Promise<unknown> => {
      const targets = targetsOf(model);
      if (!DELETES.has(operation) || targets.length === 0) return query(args);
      // Earlier failures first: a store back up takes them now.
      await drain().catch(() => undefined);
      const fields = [...new Set(targets.flatMap(({ link }) => (link.tenant ? [link.tenant.field] : [])))];
      const where = (args as { where?: unknown } | undefined)?.where;
      const matched = await findMatching(model, operation as 'delete' | 'deleteMany', where, fields);
      if (matched.length === 0) return query(args);
      const documents: DeletedDocument[] = matched.map((document) => ({
        id: String(document.id),
        tenants: Object.fromEntries(fields.map((field) => [field, document[field] === null || document[field] === undefined ? null : String(document[field])])),
      }));
      const entries = await box.add(model, documents);
      // deleteMany deletes what was found: a document the filter matches only since has no entry for its vectors.
      const bounded = operation === 'deleteMany' ? { ...(args ?? {}), where: { AND: [where ?? {}, { id: { in: documents.map((document) => document.id) } }] } } : args;
      const result = await query(bounded);
      for (const entry of entries) if ((await attempt(entry)) !== undefined) break;
      return result;
    };

  return { around, drain, length: () => box.length() };
}

export type Cascade = ReturnType<typeof cascade>;
