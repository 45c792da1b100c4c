/**
 * The MongoDB of `mongodb: { url }`, for `polystore migrate` and `db.health()` (documents themselves go through
 * the user's Prisma client). The driver is loaded and connected on first use, so a project without documents, or
 * one that never migrates them, loads nothing.
 */
import type { Db, MongoClient } from 'mongodb';
import { PolystoreError } from '../../errors.js';

export interface MongoConnection {
  /** The URL's database (its path), connected. */
  db(): Promise<Db>;
  close(): Promise<void>;
}

export function openMongo(url: string | undefined): MongoConnection | undefined {
  if (url === undefined) return undefined;
  let client: Promise<MongoClient> | undefined;
  let closed = false;
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
    db: async () => {
      // After close, no call may open a client that nothing would close again.
      if (closed) throw new PolystoreError('CLOSED', 'MongoDB: the connection is closed');
      return (await (client ??= connect())).db();
    },
    close: async () => {
      closed = true;
      const opened = client;
      client = undefined;
      await opened?.then((connected) => connected.close(), () => undefined);
    },
  };
}

/** The driver's errors of a MongoDB that went away mid-call. */
const UNREACHABLE = new Set(['MongoServerSelectionError', 'MongoNetworkError', 'MongoNetworkTimeoutError', 'MongoTopologyClosedError', 'MongoNotConnectedError']);

/** Runs a MongoDB operation, its driver errors made PolystoreErrors: MONGODB_UNAVAILABLE or MONGODB_ERROR (with the server's code). */
export async function onMongo<T>(operation: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof PolystoreError) throw error;
    const { name, code, message } = error as { name?: string; code?: number | string; message?: string };
    if (UNREACHABLE.has(name ?? '')) throw new PolystoreError('MONGODB_UNAVAILABLE', `${operation}: MongoDB did not answer: ${message}`, { cause: error });
    throw new PolystoreError('MONGODB_ERROR', `${operation}: ${message}${code === undefined ? '' : ` (code ${code})`}`, { cause: error });
  }
}
