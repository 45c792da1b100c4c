/** What integrity/ reads and deletes of a collection linked to documents, through its backend. */

/** A linked record, as a check sees it. */
export interface LinkedRow {
  id: string;
  /** The backend's key, in whose order pages go (Milvus: the tenant and the id together). */
  key: string;
  tenant?: string | undefined;
  /** By link field, the document id the record holds (null: none). */
  refs: Record<string, string | null>;
  writtenAt: Date;
}

/** Records last written at or after `since` and before `until`; either bound may be absent. */
export interface WrittenWindow {
  since?: Date | undefined;
  until?: Date | undefined;
}

export interface LinkedRecords {
  /** Records of every tenant written in the window. */
  count(window: WrittenWindow): Promise<number>;
  /** Up to `limit` records of every tenant written in the window, after the key `after`, in key order. */
  page(window: WrittenWindow, after: string | undefined, limit: number): Promise<LinkedRow[]>;
  /**
   * Deletes those of `rows` still last written before `before` (a record written again since is kept), in every
   * generation of embeddings the backend holds; resolves to how many records went.
   */
  deleteWrittenBefore(rows: readonly LinkedRow[], before: Date): Promise<number>;
  /**
   * Deletes the records whose link `field` holds one of `documents` (within `tenant` when given, else in every
   * tenant), in every generation; resolves to how many records went. The cascade of a document delete.
   */
  deleteLinked(field: string, documents: readonly string[], tenant: string | undefined): Promise<number>;
  /** Which of these record ids exist, in any tenant. */
  present(ids: readonly string[]): Promise<Set<string>>;
}
