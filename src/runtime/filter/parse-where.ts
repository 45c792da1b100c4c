/**
 * Turns a typed `where` into a FilterNode, checking at run time what the
 * types check at compile time (for JavaScript callers and casts).
 */
import { MAX_RECORDS_PER_CALL } from '../limits.js';
import { describe, InputIssues, checkFieldValue } from '../validate.js';
import type { VectorCollectionDescriptor } from '../vector-store.js';
import { type FilterField, type FilterNode, type Scalar, TRUE } from './filter-node.js';

type Path = Array<string | number>;
const COMBINATORS = ['AND', 'OR', 'NOT'] as const;
const OPERATORS = ['equals', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte'] as const;
const ORDERED = new Set(['string', 'int', 'float', 'datetime']);

export function filterFields(descriptor: VectorCollectionDescriptor): FilterField[] {
  return [{ name: 'id', column: 'id', kind: 'string', optional: false }, ...descriptor.fields];
}

// Each collection's fields by name, made on its first filter: a search should not rebuild them.
const fieldMaps = new WeakMap<VectorCollectionDescriptor, Map<string, FilterField>>();

export function parseWhere(descriptor: VectorCollectionDescriptor, where: unknown, operation: string): FilterNode {
  if (where === undefined) return TRUE;
  const issues = new InputIssues();
  let fields = fieldMaps.get(descriptor);
  if (!fields) fieldMaps.set(descriptor, (fields = new Map(filterFields(descriptor).map((field) => [field.name, field]))));
  const node = parseNode(issues, fields, where, ['where']);
  issues.throwIfAny(operation);
  return node;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

function parseNode(issues: InputIssues, fields: Map<string, FilterField>, where: unknown, path: Path): FilterNode {
  if (!isPlainObject(where)) {
    issues.add('INVALID_FILTER', path, `expected a filter object, got ${describe(where)}`);
    return TRUE;
  }
  const children: FilterNode[] = [];
  for (const [key, value] of Object.entries(where)) {
    if (value === undefined) continue;
    if ((COMBINATORS as readonly string[]).includes(key)) {
      if (!Array.isArray(value)) {
        issues.add('INVALID_FILTER', [...path, key], `${key} takes a list of filters, got ${describe(value)}`);
        continue;
      }
      const parts = value.map((item, i) => parseNode(issues, fields, item, [...path, key, i]));
      if (key === 'AND') children.push({ kind: 'and', children: parts });
      else if (key === 'OR') children.push({ kind: 'or', children: parts });
      else children.push(...parts.map((child) => ({ kind: 'not' as const, child })));
      continue;
    }
    const field = fields.get(key);
    if (!field) {
      issues.add('UNKNOWN_FIELD', [...path, key], `no field "${key}" to filter on`);
      continue;
    }
    children.push(parseCondition(issues, field, value, [...path, key]));
  }
  return children.length === 1 ? children[0] : { kind: 'and', children };
}

function parseCondition(issues: InputIssues, field: FilterField, value: unknown, path: Path): FilterNode {
  if (value === null) {
    if (!field.optional) issues.add('INVALID_FILTER', path, `"${field.name}" is required, so it is never null`);
    return { kind: 'isNull', field };
  }
  if (field.kind === 'json') return parseJson(issues, field, value, path);
  if (!isPlainObject(value)) return { kind: 'compare', field, op: 'eq', value: scalar(issues, field, value, path) };

  const parts: FilterNode[] = [];
  for (const [op, operand] of Object.entries(value)) {
    if (operand === undefined) continue;
    const at = [...path, op];
    if (!(OPERATORS as readonly string[]).includes(op)) {
      issues.add('INVALID_FILTER', at, `unknown operator "${op}" (expected ${OPERATORS.join(', ')})`);
    } else if (op === 'in' || op === 'notIn') {
      if (!Array.isArray(operand) || operand.length > MAX_RECORDS_PER_CALL) {
        issues.add('INVALID_FILTER', at, `${op} takes a list of at most ${MAX_RECORDS_PER_CALL} values, got ${describe(operand)}`);
        continue;
      }
      parts.push({ kind: 'in', field, negated: op === 'notIn', values: operand.map((item, i) => scalar(issues, field, item, [...at, i])) });
    } else if (op !== 'equals' && !ORDERED.has(field.kind)) {
      issues.add('INVALID_FILTER', at, `"${op}" does not apply to a ${field.kind} field`);
    } else {
      const compareOp = op === 'equals' ? 'eq' : (op as 'gt' | 'gte' | 'lt' | 'lte');
      parts.push({ kind: 'compare', field, op: compareOp, value: scalar(issues, field, operand, at) });
    }
  }
  return parts.length === 1 ? parts[0] : { kind: 'and', children: parts };
}

function scalar(issues: InputIssues, field: FilterField, value: unknown, path: Path): Scalar {
  // A filter value obeys the field's type, not its length limit: a longer value simply matches nothing.
  checkFieldValue(issues, { ...field, optional: false, maxLength: undefined }, value, path);
  return value as Scalar;
}

function parseJson(issues: InputIssues, field: FilterField, value: unknown, path: Path): FilterNode {
  if (isPlainObject(value) && 'contains' in value && Object.keys(value).length === 1) {
    const contained = value.contains;
    if (!isPlainObject(contained) && !Array.isArray(contained)) {
      issues.add('INVALID_FILTER', [...path, 'contains'], `contains takes an object or an array, got ${describe(contained)}`);
    } else checkFieldValue(issues, { ...field, optional: false }, contained, [...path, 'contains']);
    return { kind: 'jsonContains', field, value: contained };
  }
  if (isPlainObject(value) && 'path' in value && 'equals' in value && Object.keys(value).length === 2) {
    const keys = value.path;
    if (!Array.isArray(keys) || keys.length === 0 || keys.some((key) => typeof key !== 'string')) {
      issues.add('INVALID_FILTER', [...path, 'path'], `path takes a non-empty list of keys, got ${describe(keys)}`);
    } else keys.forEach((key, i) => checkFieldValue(issues, { ...field, kind: 'string', optional: false }, key, [...path, 'path', i]));
    const equals = value.equals;
    if (equals !== null && !['string', 'number', 'boolean'].includes(typeof equals)) {
      issues.add('INVALID_FILTER', [...path, 'equals'], `equals takes a string, number, boolean or null, got ${describe(equals)}`);
    } else if (equals !== null) checkFieldValue(issues, { ...field, optional: false }, equals, [...path, 'equals']);
    return { kind: 'jsonPath', field, path: keys as string[], value: equals as string | number | boolean | null };
  }
  issues.add('INVALID_FILTER', path, 'a JSON field is filtered with { path: [...keys], equals: value }, { contains: {...} } or null');
  return TRUE;
}
