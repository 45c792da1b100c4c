import { allOf, type FilterNode } from '../contract/filter-node.js';
import { parseWhere } from './parse-where.js';
import { checkFieldValue, describe, type Embeds, InputIssues, validateChanges } from './validate.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';
import { InvalidInputError } from '../../errors.js';

/** The tenant a store is bound to: every read, count, update and delete is restricted to it. */
export interface TenantScope {
  field: string;
  tenantId: string;
}

export function tenantScope(descriptor: VectorCollectionDescriptor, tenantId: unknown): TenantScope {
  const field = descriptor.fields.find((candidate) => candidate.name === descriptor.tenant)!;
  // A tenant id is stored and compared like any string: one the drivers would rewrite (a lone surrogate becomes
  // U+FFFD) would match another tenant's records.
  const issues = new InputIssues();
  if (typeof tenantId !== 'string' || tenantId.length === 0) issues.add('INVALID_TENANT', ['tenantId'], `expected a non-empty string, got ${describe(tenantId)}`);
  else checkFieldValue(issues, field, tenantId, ['tenantId']);
  if (issues.issues.length > 0) throw new InvalidInputError('forTenant', issues.issues.map((issue) => ({ ...issue, code: 'INVALID_TENANT' })));
  return { field: field.name, tenantId: tenantId as string };
}

/** Fills in the tenant of records written through a tenant's store; a record naming another tenant is an error. */
export function stampTenant(records: unknown, scope: TenantScope | undefined, operation: string): unknown {
  // Anything but a list of objects is left for validateRecords to report.
  if (!scope || !Array.isArray(records) || records.some((record) => typeof record !== 'object' || record === null)) return records;
  const issues = (records as Array<Record<string, unknown>>).flatMap((record, i) => {
    const value = record[scope.field];
    return value === undefined || value === scope.tenantId
      ? []
      : [{ code: 'TENANT_MISMATCH', path: ['records', i, scope.field], message: `this store writes for tenant ${JSON.stringify(scope.tenantId)}, the record names ${describe(value)}` }];
  });
  if (issues.length > 0) throw new InvalidInputError(operation, issues);
  return (records as Array<Record<string, unknown>>).map((record) => ({ ...record, [scope.field]: scope.tenantId }));
}

/** A parsed filter, restricted to the store's tenant. */
export function withinTenant(descriptor: VectorCollectionDescriptor, scope: TenantScope | undefined, filter: FilterNode): FilterNode {
  if (!scope) return filter;
  const field = descriptor.fields.find((candidate) => candidate.name === scope.field)!;
  return allOf([{ kind: 'compare', field, op: 'eq', value: scope.tenantId }, filter]);
}

/** A call's filter, restricted to the store's tenant. */
export const scopedFilter = (descriptor: VectorCollectionDescriptor, scope: TenantScope | undefined, where: unknown, operation: string): FilterNode =>
  withinTenant(descriptor, scope, parseWhere(descriptor, where, operation));

/**
 * An update's changes, checked. Undefined values are left out, as in Prisma: they change nothing (they do not
 * set NULL). Through a tenant's store a record cannot move to another tenant.
 */
export function updateChanges(descriptor: VectorCollectionDescriptor, scope: TenantScope | undefined, id: unknown, changes: unknown, embeds?: Embeds): Record<string, unknown> {
  const defined = typeof changes === 'object' && changes !== null ? Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)) : changes;
  validateChanges(descriptor, id, defined, embeds);
  if (scope && scope.field in defined && defined[scope.field] !== scope.tenantId) {
    throw new InvalidInputError('update', [{ code: 'TENANT_MISMATCH', path: ['changes', scope.field], message: `a record cannot move to another tenant (${describe(defined[scope.field])})` }]);
  }
  return defined;
}
