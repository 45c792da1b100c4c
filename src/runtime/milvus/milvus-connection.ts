/** One Milvus, shared by every collection on the milvus backend, as the stores and operations see it (opened by open-milvus.ts). */
import type { MilvusClient } from '@zilliz/milvus2-sdk-node';
import type { MilvusOptions } from '../contract/options.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';

/** What every SDK response carries, flat (create, load, drop) or under `status`. */
export interface Status {
  error_code: string | number;
  code?: number;
  reason: string;
  retriable?: boolean;
}
export type Response = Status | { status: Status };

export interface MilvusConnection {
  readonly consistency: NonNullable<MilvusOptions['consistency']>;
  /**
   * Runs one SDK request: throws a PolystoreError on a failed status, retries transient failures. Given the
   * collection, a failure that comes from its absence says so (the SDK throws a TypeError for some requests).
   */
  call<R extends Response>(operation: string, request: (client: MilvusClient) => Promise<R>, collection?: string): Promise<R>;
  /**
   * Makes the SDK's client of a server now rather than at the first request, without waiting for the server: its
   * constructor holds the event loop for about half a second, which a timed call (a health probe) should not pay.
   */
  prepare(): Promise<void>;
  /** Creates or checks the collection, its indexes and its load state, once per connection. */
  ensure(descriptor: VectorCollectionDescriptor): Promise<void>;
  close(): Promise<void>;
}

