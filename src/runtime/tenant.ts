import type { TenantVectorStore, VectorCollectionDescriptor, VectorRecordBase, VectorStore } from './vector-store.js';
export function scopeToTenant<T extends VectorRecordBase, W, K extends keyof T & keyof W>(store: VectorStore<T, W>, descriptor: VectorCollectionDescriptor, tenantId: string): ReturnType<TenantVectorStore<T, W, K>['forTenant']> {
  throw new Error('TODO');
}
