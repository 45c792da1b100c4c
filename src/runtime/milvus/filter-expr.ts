/**
 * A FilterNode as a Milvus boolean expression. Values are literals here (the SDK has no bound parameters
 * for every call), so every string is escaped; identifiers come only from the generated spec.
 *
 * PostgreSQL's three-valued logic decides which rows pgvector returns: a comparison with NULL is unknown,
 * and NOT unknown is still unknown. Milvus versions disagree on NULL under `not` and `not in`, so the
 * expression never leaves it to them: NOT is pushed down to the leaves (`holds(node, false)` is "node is
 * false", not "node is not true"), and every comparison on a nullable field or a JSON path is guarded.
 */
import type { FilterField, FilterNode, Scalar } from '../contract/filter-node.js';
import { InvalidInputError } from '../../errors.js';

const NEGATED = { eq: '!=', gt: '<=', gte: '<', lt: '>=', lte: '>' } as const;
const POSITIVE = { eq: '==', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
const TRUE = 'true';
const FALSE = 'false';

/** A double-quoted literal: backslash, quote and line breaks escaped (the escapes Milvus and Milvus Lite share). */
export function stringLiteral(value: string): string {
  return `"${value.replace(/[\\"\n\r\t]/g, (ch) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[ch]!)}"`;
}

/** Datetimes are stored as epoch milliseconds. */
function literal(value: Scalar): string {
  // The Date's own time, a number: nothing the object says of itself reaches the expression.
  if (value instanceof Date) return String(Date.prototype.getTime.call(value));
  if (typeof value === 'string') return stringLiteral(value);
  return String(value);
}

const all = (parts: string[]) => (parts.length === 0 ? TRUE : parts.length === 1 ? parts[0] : `(${parts.join(' and ')})`);
const any = (parts: string[]) => (parts.length === 0 ? FALSE : parts.length === 1 ? parts[0] : `(${parts.join(' or ')})`);
const path = (field: FilterField, keys: readonly string[]) => `${field.column}${keys.map((key) => `[${stringLiteral(key)}]`).join('')}`;
/** A comparison that holds only where the field has a value, as in SQL. */
const guarded = (field: FilterField, comparison: string) => (field.optional ? `(${field.column} is not null and ${comparison})` : comparison);

export function filterExpr(node: FilterNode, operation: string): string {
  return holds(node, true, operation);
}

/** The expression that is true exactly where `node` evaluates to `value` (never where it is unknown). */
function holds(node: FilterNode, value: boolean, operation: string): string {
  switch (node.kind) {
    case 'and':
      return (value ? all : any)(node.children.map((child) => holds(child, value, operation)));
    case 'or':
      return (value ? any : all)(node.children.map((child) => holds(child, value, operation)));
    case 'not':
      return holds(node.child, !value, operation);
    case 'compare':
      return guarded(node.field, `${node.field.column} ${(value ? POSITIVE : NEGATED)[node.op]} ${literal(node.value)}`);
    case 'in':
      if (node.values.length === 0) return value === node.negated ? TRUE : FALSE;
      return guarded(node.field, `${node.field.column} ${value !== node.negated ? 'in' : 'not in'} [${node.values.map((v) => literal(v)).join(', ')}]`);
    case 'isNull':
      return `${node.field.column} ${value ? 'is null' : 'is not null'}`;
    case 'jsonPath': {
      if (node.value === null) throw unsupported(operation, node.field, 'equals: null at a JSON path');
      const at = path(node.field, node.path);
      // SQL: unknown where the path is missing, so neither side holds there.
      return `(exists ${at} and ${at} ${value ? '==' : '!='} ${literal(node.value)})`;
    }
    case 'jsonContains': {
      const leaves = containment(node.field, [], node.value, operation);
      // SQL: unknown only where the whole JSON value is NULL.
      return value ? all([`${node.field.column} is not null`, ...leaves.map((leaf) => leaf.holds)]) : all([`${node.field.column} is not null`, any(leaves.map((leaf) => leaf.fails))]);
    }
  }
}

interface Leaf {
  holds: string;
  fails: string;
}

/** jsonb `@>` taken apart: an object by its keys, an array by its scalar elements, a scalar by equality. */
function containment(field: FilterField, keys: string[], value: unknown, operation: string): Leaf[] {
  const at = path(field, keys);
  if (Array.isArray(value)) {
    if (value.length === 0 || value.some((item) => item === null || typeof item === 'object')) {
      throw unsupported(operation, field, 'contains with an empty array, or with objects, arrays or null inside an array');
    }
    const holdsAll = `json_contains_all(${at}, [${value.map((item) => literal(item as Scalar)).join(', ')}])`;
    return [{ holds: holdsAll, fails: `not ${holdsAll}` }];
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0 && keys.length > 0) throw unsupported(operation, field, 'contains with an empty object inside');
    return entries.flatMap(([key, item]) => containment(field, [...keys, key], item, operation));
  }
  if (value === null) throw unsupported(operation, field, 'contains with null');
  const scalar = literal(value as Scalar);
  return [{ holds: `(exists ${at} and ${at} == ${scalar})`, fails: `(not exists ${at} or ${at} != ${scalar})` }];
}

function unsupported(operation: string, field: FilterField, what: string): InvalidInputError {
  return new InvalidInputError(operation, [{ code: 'UNSUPPORTED_FILTER', path: ['where', field.name], message: `Milvus expressions cannot say ${what}; filter on a narrower path` }]);
}
