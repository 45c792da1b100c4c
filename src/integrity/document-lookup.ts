/**
 * Which of the ids a page of vectors references name a document, and that document's tenant: one
 * `find({ _id: { $in } })` a batch, through the driver of `mongodb: { url }`, projecting only what is compared.
 */
import type { Db } from 'mongodb';
import { onMongo } from '../runtime/mongodb/mongo-connection.js';
import { DOCUMENT_ID, type DocumentLink } from '../runtime/contract/document-link.js';

/** A found document's tenant as text (an ObjectId's hex), or null where the link keeps to no tenant. */
export type FoundDocuments = Map<string, string | null>;

export async function findDocuments(db: Db, link: DocumentLink, ids: ReadonlySet<string>): Promise<FoundDocuments> {
  const { ObjectId } = await import('mongodb');
  // Only ids an ObjectId can be; any other value references no document and is an orphan without asking.
  const wanted = [...ids].filter((id) => DOCUMENT_ID.test(id)).map((id) => new ObjectId(id));
  const found: FoundDocuments = new Map();
  if (wanted.length === 0) return found;
  const projection = { _id: 1, ...(link.tenant ? { [link.tenant.key]: 1 } : {}) };
  const documents = await onMongo(`integrity: finding ${link.model} documents`, () => db.collection(link.collection).find({ _id: { $in: wanted } }, { projection }).toArray());
  for (const document of documents) {
    const tenant = link.tenant ? document[link.tenant.key] : null;
    found.set(String(document._id), tenant === null || tenant === undefined ? null : String(tenant));
  }
  return found;
}
