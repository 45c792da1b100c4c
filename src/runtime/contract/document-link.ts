/**
 * A vector collection's link to a document model (`dataId: f.ref('DatasetData')`): what the cascade, the check and
 * the sweep of src/integrity read. A linked collection has one more column (Milvus: field), the time each record
 * was last written, which bounds a check's window and keeps the grace period of a sweep.
 */
export interface DocumentLink {
  /** The vector field that holds the document's id, and its column. */
  field: string;
  column: string;
  /** The document model, and its MongoDB collection. */
  model: string;
  collection: string;
  /**
   * The document's field holding the collection's tenant, when the link keeps to tenants: its name (Prisma's),
   * its stored key (MongoDB's), and whether it is stored as an ObjectId.
   */
  tenant?: { field: string; key: string; objectId: boolean };
  /** The document's stored path listing the ids of its vectors (`vectors: { collection: path }` in the schema). */
  listed?: string;
}

export const WRITTEN_AT_COLUMN = 'written_at';

/** A document id as Prisma writes it (`@db.ObjectId`): 24 lowercase hex digits. */
export const DOCUMENT_ID = /^[0-9a-f]{24}$/;
export const DOCUMENT_ID_LENGTH = 24;

/** A collection's links, one per linked field; none for a collection without (and no WRITTEN_AT_COLUMN then). */
export const linksOf = (collection: { fields: ReadonlyArray<{ link?: DocumentLink | undefined }> }): DocumentLink[] => collection.fields.flatMap((field) => (field.link ? [field.link] : []));
