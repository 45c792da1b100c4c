import { type FilterNode, isTrue, TRUE } from '../contract/filter-node.js';
import { parseWhere } from './parse-where.js';
import { describe, validateIds } from './validate.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';
import { InvalidInputError } from '../../errors.js';

/**
 * What `delete` removes, before the tenant's scope: the filter's matches; `ids` when the call named them.
 * An empty id list, or a filter that can match nothing, is FALSE and deletes nothing.
 */
export interface DeleteTarget {
  filter: FilterNode;
  ids?: readonly string[];
}

const SHAPE = 'expected { ids: [...] }, { where: {...} } or { all: true }';

/**
 * Checked the same way on every backend. A filter is judged once parsed, not by its keys: one that places no
 * condition (`{ bucket: undefined }`, `{ AND: [] }`, `{ OR: [{}] }`…) would delete every record, so it is
 * refused; deleting everything (within the tenant) takes `{ all: true }`.
 */
export function parseDeleteTarget(descriptor: VectorCollectionDescriptor, target: unknown): DeleteTarget {
  const keys = typeof target === 'object' && target !== null ? Object.keys(target) : [];
  const given = target as Record<string, unknown>;
  if (keys.length !== 1) throw new InvalidInputError('delete', [{ code: 'INVALID_INPUT', path: [], message: `${SHAPE}, got ${keys.length > 1 ? `{ ${keys.join(', ')} }` : describe(target)}` }]);
  if (keys[0] === 'ids') {
    validateIds(given.ids, 'delete');
    return { filter: parseWhere(descriptor, { id: { in: given.ids } }, 'delete'), ids: given.ids };
  }
  if (keys[0] === 'all') {
    if (given.all !== true) throw new InvalidInputError('delete', [{ code: 'INVALID_INPUT', path: ['all'], message: `all must be true, got ${describe(given.all)}` }]);
    return { filter: TRUE };
  }
  if (keys[0] !== 'where') throw new InvalidInputError('delete', [{ code: 'INVALID_INPUT', path: [keys[0]], message: SHAPE }]);
  const filter = parseWhere(descriptor, given.where, 'delete');
  if (isTrue(filter)) {
    throw new InvalidInputError('delete', [
      { code: 'INVALID_FILTER', path: ['where'], message: 'this filter places no condition (undefined values and empty lists place none), so it would delete every record; to mean that, pass { all: true }' },
    ]);
  }
  return { filter };
}

