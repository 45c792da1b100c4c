/**
 * A document model's MongoDB collection as `polystore generate` emits it, for `polystore migrate`: its indexes
 * with the names the Prisma schema gives them (`map:`), so that `prisma db push` finds them in sync. Kept free of
 * the mongodb driver, so that importing it loads nothing.
 */
export interface MongoIndexSpec {
  name: string;
  /** Stored key paths in order, each ascending (1), descending (-1) or part of a text index. */
  key: Array<[path: string, direction: 1 | -1 | 'text']>;
  unique?: true;
  /** A TTL index: MongoDB deletes each document this many seconds after the date in its one key. */
  expireAfterSeconds?: number;
}

export interface MongoCollectionSpec {
  /** The document model's name. */
  model: string;
  collection: string;
  indexes: MongoIndexSpec[];
}
