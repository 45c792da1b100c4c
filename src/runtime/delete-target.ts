import { InvalidInputError } from '../errors.js';
import { validateIds } from './validate.js';

/** What `delete` was asked to remove, checked the same way on every backend. */
export type DeleteTarget = { ids: readonly string[] } | { where: unknown };

export function parseDeleteTarget(target: unknown): DeleteTarget {
  const keys = typeof target === 'object' && target !== null ? Object.keys(target) : [];
  if (keys.length === 1 && keys[0] === 'ids') {
    const ids = (target as { ids: unknown }).ids;
    validateIds(ids, 'delete');
    return { ids };
  }
  if (keys.length === 1 && keys[0] === 'where') {
    const where = (target as { where: unknown }).where;
    if (typeof where === 'object' && where !== null && Object.keys(where).length === 0) {
      throw new InvalidInputError('delete', [{ code: 'INVALID_FILTER', path: ['where'], message: 'an empty filter would delete every record; name the records to delete' }]);
    }
    return { where };
  }
  throw new InvalidInputError('delete', [{ code: 'INVALID_INPUT', path: [], message: 'expected { ids: [...] } or { where: {...} }' }]);
}
