/**
 * The MongoDB of `mongodb: { url }`, for `polystore migrate` and `db.health()` (documents themselves go through
 * the user's Prisma client). The driver is loaded and connected on first use, so a project without documents, or
 * one that never migrates them, loads nothing.
 */
import type { Db, MongoClient } from 'mongodb';
import { PolystoreError } from '../errors.js';

export interface MongoConnection {
  /** The URL's database (its path), connected. */
  db(): Promise<Db>;
  close(): Promise<void>;
}

export function openMongo(url: string | undefined): MongoConnection | undefined {
  if (url === undefined) return undefined;
  let client: Promise<MongoClient> | undefined;
  const connect = async () => {
    const { MongoClient } = await import('mongodb');
    try {
      // The driver waits 30 s for a server by default; 5 s unless the URL says otherwise.
      const timeout = /[?&]serverSelectionTimeoutMS=/i.test(url) ? {} : { serverSelectionTimeoutMS: 5_000 };
      return await new MongoClient(url, timeout).connect();
    } catch (error) {
      client = undefined;
      throw new PolystoreError('MONGODB_UNAVAILABLE', `cannot reach MongoDB: ${(error as Error).message}`, { cause: error });
    }
  };
  return {
    db: async () => (await (client ??= connect())).db(),
    close: async () => {
      const opened = client;
      client = undefined;
      await opened?.then((connected) => connected.close(), () => undefined);
    },
  };
}
