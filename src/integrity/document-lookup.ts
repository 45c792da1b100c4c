/**
 * Which of the ids a page of vectors references name a document, and that document's tenant: one
 * `find({ _id: { $in } })` a batch, through the driver of `mongodb: { url }`, projecting only what is compared.
 */
import type { Db } from 'mongodb';
import { onMongo } from '../runtime/mongodb/mongo-connection.js';
import { DOCUMENT_ID, type DocumentLink } from '../runtime/contract/document-link.js';

/**
 * Found documents by id (lowercase hex): each one's tenant as text (an ObjectId's hex), or null where the link keeps
 * to no tenant or the value is neither text nor an ObjectId (then not compared: no record is judged by it).
 */
export type FoundDocuments = Map<string, string | null>;

/** An ObjectId's hex in either case: written behind polystore's back, it still names a document. */
export const ANY_CASE_ID = new RegExp(DOCUMENT_ID.source, 'i');

const tenantText = (value: unknown): string | null =>
  typeof value === 'string' ? value : typeof value === 'object' && value !== null && (value as { _bsontype?: unknown })._bsontype === 'ObjectId' ? String(value) : null;

export async function findDocuments(db: Db, link: DocumentLink, ids: ReadonlySet<string>): Promise<FoundDocuments> {
  const { ObjectId } = await import('mongodb');
  // Only ids an ObjectId can be; any other value references no document and is an orphan without asking.
  const wanted = [...ids].filter((id) => ANY_CASE_ID.test(id)).map((id) => new ObjectId(id.toLowerCase()));
  const found: FoundDocuments = new Map();
  if (wanted.length === 0) return found;
  const projection = { _id: 1, ...(link.tenant ? { [link.tenant.key]: 1 } : {}) };
  const documents = await onMongo(`integrity: finding ${link.model} documents`, () => db.collection(link.collection).find({ _id: { $in: wanted } }, { projection }).toArray());
  for (const document of documents) found.set(String(document._id), link.tenant ? tenantText(document[link.tenant.key]) : null);
  return found;
}
