/**
 * The one place a vector store's calls are checked, above every backend (and the cache and read routing between):
 * input validated with every problem and its path, `where` parsed into the filter tree, the tenant stamped on
 * records and placed in every filter. What passes is a request the backend only compiles and runs; what does not
 * is refused before anything is sent.
 */
import { abortable, abortableWrite } from '../abortable.js';
import { parseDeleteTarget } from './delete-target.js';
import { scopedFilter, stampTenant, type TenantScope, updateChanges, withinTenant } from './tenant.js';
import { type Embeds, validateIds, validateReadOptions, validateRecords, validateSearch, validateWriteOptions } from './validate.js';
import type { BackendStore, PagedStore } from '../contract/backend-store.js';
import { isFalse } from '../contract/filter-node.js';
import type { VectorCollectionDescriptor, VectorRecordBase, WriteOptions } from '../contract/vector-store.js';

/**
 * `descriptor` is what the checks hold values to (on Milvus, with the VarChar limits of its spec); `embeds`, of a
 * collection whose records and queries may come as text (the layer below embeds them).
 */
export function checkedStore<T extends VectorRecordBase, W>(backend: BackendStore<T, W>, descriptor: VectorCollectionDescriptor, scope?: TenantScope, embeds?: Embeds): PagedStore<T, W> {
  const write = (operation: 'insert' | 'upsert') => async (records: readonly T[], options?: WriteOptions) => {
    validateWriteOptions(options, operation);
    const stamped = stampTenant(records, scope, operation);
    validateRecords(descriptor, stamped, operation, embeds);
    // No records, nothing to write; an aborted signal is ABORTED all the same, as on every write.
    await abortableWrite(operation, options, async (cancel) => void (stamped.length > 0 && (await backend[operation](stamped, undefined, cancel))));
  };
  return {
    insert: write('insert'),
    upsert: write('upsert'),
    async search(query) {
      validateSearch(descriptor, query, embeds);
      const filter = scopedFilter(descriptor, scope, query.where, 'search');
      return abortable('search', query, (signal) => backend.search({ ...query, signal }, filter));
    },
    async get(ids, options) {
      validateIds(ids, 'get');
      validateReadOptions(options, 'get');
      // The ids as they were checked: the backend reads them after awaiting (Milvus, in slices).
      const checked = [...ids];
      // No ids, no read; an aborted signal is ABORTED all the same, as on every read.
      return abortable('get', options, async (signal) => (checked.length === 0 ? [] : backend.get(checked, scopedFilter(descriptor, scope, { id: { in: checked } }, 'get'), signal ? { ...options, signal } : options)));
    },
    async count(where, options) {
      validateReadOptions(options, 'count');
      const filter = scopedFilter(descriptor, scope, where, 'count');
      return abortable('count', options, (signal) => backend.count(filter, signal ? { ...options, signal } : options));
    },
    async update(id, changes, options) {
      validateWriteOptions(options, 'update');
      const values = updateChanges(descriptor, scope, id, changes, embeds);
      await abortableWrite('update', options, (cancel) => backend.update(id, values, scopedFilter(descriptor, scope, { id }, 'update'), undefined, cancel));
    },
    async delete(target, options) {
      validateWriteOptions(options, 'delete');
      const { filter, ids } = parseDeleteTarget(descriptor, target);
      return abortableWrite('delete', options, async (cancel) => (isFalse(filter) ? 0 : backend.delete(withinTenant(descriptor, scope, filter), ids, cancel)));
    },
    page: backend.page,
  };
}
