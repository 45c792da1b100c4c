/**
 * The cascade's outbox, in MongoDB (`polystore_outbox`): before documents are deleted through `db.documents()`,
 * the ids of those the delete matched (and their tenants), a thousand an entry; removed once their vectors are
 * deleted. An entry left by a failure (the vector store down, a crash) is delivered by the next delete, by
 * `close()` and by `integrity check`, each first checking that its documents are gone.
 */
import type { Collection, Db, ObjectId } from 'mongodb';
import { onMongo } from '../runtime/mongodb/mongo-connection.js';

export const OUTBOX_COLLECTION = 'polystore_outbox';
const IDS_PER_ENTRY = 1_000;

/** A deleted document: its id and, by field name, the tenant values the links keep to. */
export interface DeletedDocument {
  id: string;
  tenants: Record<string, string | null>;
}

export interface OutboxEntry {
  _id: ObjectId;
  model: string;
  documents: DeletedDocument[];
  createdAt: Date;
  attempts: number;
  lastError?: string;
}

export function outbox(mongo: () => Promise<Db>) {
  const entries = async (): Promise<Collection<OutboxEntry>> => (await mongo()).collection<OutboxEntry>(OUTBOX_COLLECTION);
  const run = <T>(what: string, call: (collection: Collection<OutboxEntry>) => Promise<T>) => onMongo(`the cascade's outbox: ${what}`, async () => call(await entries()));
  return {
    async add(model: string, documents: readonly DeletedDocument[]): Promise<OutboxEntry[]> {
      const { ObjectId } = await import('mongodb');
      const added: OutboxEntry[] = [];
      for (let start = 0; start < documents.length; start += IDS_PER_ENTRY) added.push({ _id: new ObjectId(), model, documents: documents.slice(start, start + IDS_PER_ENTRY), createdAt: new Date(), attempts: 0 });
      if (added.length > 0) await run('adding', (collection) => collection.insertMany(added));
      return added;
    },
    remove: (entry: OutboxEntry) => run('removing', (collection) => collection.deleteOne({ _id: entry._id })),
    failed: (entry: OutboxEntry, error: unknown) => run('recording a failure', (collection) => collection.updateOne({ _id: entry._id }, { $inc: { attempts: 1 }, $set: { lastError: error instanceof Error ? error.message : String(error) } })),
    /** The oldest entries first. */
    pending: (limit: number) => run('reading', (collection) => collection.find({}).sort({ createdAt: 1, _id: 1 }).limit(limit).toArray()),
    /** How many entries wait, and how many of them failed at least once. */
    async length(): Promise<{ pending: number; failed: number }> {
      const [pending, failed] = await run('counting', (collection) => Promise.all([collection.countDocuments({}), collection.countDocuments({ attempts: { $gt: 0 } })]));
      return { pending, failed };
    },
  };
}

export type Outbox = ReturnType<typeof outbox>;
