/**
 * The other way round, where a document model lists its vectors' ids (`vectors: { collection: 'indexes.dataId' }`
 * in the schema): each document of the model paged by `_id`, the ids it lists looked up in the collection a page
 * at a time, and the documents listing an id that has no vector counted. Only ObjectId `_id`s are the model's (its
 * Prisma id is one); `$gt` compares within a BSON type, so a page of others would end the walk early.
 */
import type { Db, Document, ObjectId } from 'mongodb';
import type { CheckOptions, DocumentVectorsReport, LinkedCollection } from './integrity-options.js';
import { onMongo } from '../runtime/mongodb/mongo-connection.js';

/** The strings at a dotted path, through lists on the way (`indexes.dataId` of `{ indexes: [{ dataId }] }`). */
function valuesAt(value: unknown, path: readonly string[]): string[] {
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path));
  if (path.length === 0) return typeof value === 'string' ? [value] : [];
  if (typeof value !== 'object' || value === null) return [];
  return valuesAt((value as Document)[path[0]], path.slice(1));
}

export async function checkDocumentVectors(db: Db, collection: LinkedCollection, options: CheckOptions): Promise<DocumentVectorsReport | undefined> {
  const link = collection.links.find((candidate) => candidate.listed !== undefined);
  if (!link) return undefined;
  const path = link.listed!.split('.');
  const documents = db.collection(link.collection);
  const batch = options.batchSize ?? 1_000;
  const report: DocumentVectorsReport = { model: link.model, scanned: 0, withMissing: 0, missingVectors: 0 };
  let after: ObjectId | undefined;
  for (;;) {
    options.signal?.throwIfAborted();
    const page = await onMongo(`integrity: reading ${link.model} documents`, () =>
      documents.find({ _id: after === undefined ? { $type: 'objectId' } : { $gt: after } }, { projection: { _id: 1, [path[0]]: 1 } }).sort({ _id: 1 }).limit(batch).toArray(),
    );
    if (page.length === 0) break;
    const listed = page.map((document) => valuesAt(document, path));
    const present = await collection.records.present([...new Set(listed.flat())]);
    for (const ids of listed) {
      const missing = ids.filter((id) => !present.has(id)).length;
      report.missingVectors += missing;
      if (missing > 0) report.withMissing += 1;
    }
    report.scanned += page.length;
    after = page.at(-1)!._id as ObjectId;
    if (page.length < batch) break;
  }
  return report;
}
