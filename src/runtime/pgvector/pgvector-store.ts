import type { Connection } from '../connection.js';
import type { VectorCollectionDescriptor, VectorRecordBase, VectorStore } from '../vector-store.js';
export function createPgvectorStore<T extends VectorRecordBase, W>(descriptor: VectorCollectionDescriptor, connection: Connection<Record<string, unknown>>, ready: () => Promise<void>): VectorStore<T, W> {
  throw new Error('TODO');
}
