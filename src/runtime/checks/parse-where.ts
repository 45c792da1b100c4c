/**
 * Turns a typed `where` into a FilterNode, checking at run time what the
 * types check at compile time (for JavaScript callers and casts).
 */
import { allOf, anyOf, type FilterField, type FilterNode, inList, not, type Scalar, TRUE } from '../contract/filter-node.js';
import { checkFieldValue, checkJsonValue, describe, InputIssues, isPlainObject } from './validate.js';
import { MAX_FILTER_DEPTH, MAX_FILTER_VALUES, MAX_JSON_PATH, MAX_RECORDS_PER_CALL } from '../contract/limits.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';

type Path = Array<string | number>;
const COMBINATORS = ['AND', 'OR', 'NOT'] as const;
const OPERATORS = ['equals', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte'] as const;
const ORDERED = new Set(['string', 'int', 'float', 'datetime']);

export function filterFields(descriptor: VectorCollectionDescriptor): FilterField[] {
  return [{ name: 'id', column: 'id', kind: 'string', optional: false }, ...descriptor.fields];
}

// Each collection's fields by name, made on its first filter: a search should not rebuild them.
const fieldMaps = new WeakMap<VectorCollectionDescriptor, Map<string, FilterField>>();

/** What one parse carries: its problems, the collection's fields, and the values bound so far. */
interface Parse {
  issues: InputIssues;
  fields: Map<string, FilterField>;
  values: number;
}

/**
 * `undefined` anywhere in a filter means "no condition here", as in Prisma: `{ bucket: undefined }` and
 * `{ bucket: {} }` place none, and a filter of nothing but those matches every record (TRUE).
 */
export function parseWhere(descriptor: VectorCollectionDescriptor, where: unknown, operation: string): FilterNode {
  if (where === undefined) return TRUE;
  let fields = fieldMaps.get(descriptor);
  if (!fields) fieldMaps.set(descriptor, (fields = new Map(filterFields(descriptor).map((field) => [field.name, field]))));
  const parse: Parse = { issues: new InputIssues(), fields, values: 0 };
  const node = parseNode(parse, where, ['where']);
  if (parse.values > MAX_FILTER_VALUES) {
    parse.issues.add('INVALID_FILTER', ['where'], `the filter holds ${parse.values} values; the maximum is ${MAX_FILTER_VALUES} (PostgreSQL binds at most 65,535 parameters a statement)`);
  }
  parse.issues.throwIfAny(operation);
  return node;
}

function parseNode(parse: Parse, where: unknown, path: Path): FilterNode {
  const { issues, fields } = parse;
  // Each level adds two path segments to ['where'] (`AND`, index); deeper filters overflow parsers and stacks downstream.
  if (path.length > 2 * MAX_FILTER_DEPTH + 1) {
    issues.add('INVALID_FILTER', path, `filters nest at most ${MAX_FILTER_DEPTH} levels deep`);
    return TRUE;
  }
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
      // An undefined entry is absent, as everywhere; an empty slot is an error.
      const parts = Array.from(value, (item: unknown, i) => (i in value && item === undefined ? TRUE : parseNode(parse, item, [...path, key, i])));
      if (key === 'AND') children.push(allOf(parts));
      else if (key === 'OR') children.push(anyOf(parts));
      else children.push(...parts.map(not));
      continue;
    }
    const field = fields.get(key);
    if (!field) {
      issues.add('UNKNOWN_FIELD', [...path, key], `no field "${key}" to filter on`);
      continue;
    }
    children.push(parseCondition(parse, field, value, [...path, key]));
  }
  return allOf(children);
}

function parseCondition(parse: Parse, field: FilterField, value: unknown, path: Path): FilterNode {
  const { issues } = parse;
  if (value === null) {
    if (!field.optional) issues.add('INVALID_FILTER', path, `"${field.name}" is required, so it is never null`);
    return { kind: 'isNull', field };
  }
  if (field.kind === 'json') return parseJson(parse, field, value, path);
  if (!isPlainObject(value)) return { kind: 'compare', field, op: 'eq', value: scalar(parse, field, value, path) };

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
      // Array.from visits holes too: `[1, , 2]` is refused, not read as two values.
      parts.push(inList(field, Array.from(operand, (item: unknown, i) => scalar(parse, field, item, [...at, i])), op === 'notIn'));
    } else if (op !== 'equals' && !ORDERED.has(field.kind)) {
      issues.add('INVALID_FILTER', at, `"${op}" does not apply to a ${field.kind} field`);
    } else {
      const compareOp = op === 'equals' ? 'eq' : (op as 'gt' | 'gte' | 'lt' | 'lte');
      parts.push({ kind: 'compare', field, op: compareOp, value: scalar(parse, field, operand, at) });
    }
  }
  return allOf(parts);
}

/**
 * A Date as its own value, whatever the object says of itself (an own `getTime`, a subclass): an invalid Date for
 * an object that only looks like one, which the checks refuse.
 */
function ownDate(value: Date): Date {
  try {
    return new Date(Date.prototype.getTime.call(value));
  } catch {
    return new Date(Number.NaN);
  }
}

/**
 * A filter value, checked and kept as it was then: the tree is compiled later (after the cache's lookup, after
 * Milvus is ready), and the caller's objects may have changed by that time.
 */
function scalar(parse: Parse, field: FilterField, given: unknown, path: Path): Scalar {
  parse.values += 1;
  const value = given instanceof Date ? ownDate(given) : given;
  // A filter value obeys the field's type, not its length limit: a longer value simply matches nothing.
  if (value === undefined) parse.issues.add('INVALID_FILTER', path, 'a list of values cannot hold undefined or an empty slot');
  else checkFieldValue(parse.issues, { ...field, optional: false, maxLength: undefined }, value, path);
  return value as Scalar;
}

/** A JSON operand, checked, then copied and checked again as copied: the copy is what the tree keeps. */
function ownJson(parse: Parse, value: unknown, path: Path): unknown {
  const before = parse.issues.issues.length;
  checkJsonValue(parse.issues, value, path);
  if (parse.issues.issues.length > before) return value;
  try {
    const copy = structuredClone(value);
    checkJsonValue(parse.issues, copy, path);
    return copy;
  } catch {
    parse.issues.add('INVALID_VALUE', path, 'this value changed while it was being checked');
    return value;
  }
}

function parseJson(parse: Parse, field: FilterField, given: unknown, path: Path): FilterNode {
  const { issues } = parse;
  // As everywhere in a filter, an undefined operand is absent: `{ contains: undefined }` places no condition.
  const value = isPlainObject(given) ? Object.fromEntries(Object.entries(given).filter(([, operand]) => operand !== undefined)) : given;
  if (isPlainObject(value) && Object.keys(value).length === 0) return TRUE;
  parse.values += 1;
  if (isPlainObject(value) && 'contains' in value && Object.keys(value).length === 1) {
    const contained = value.contains;
    if (!isPlainObject(contained) && !Array.isArray(contained)) {
      issues.add('INVALID_FILTER', [...path, 'contains'], `contains takes an object or an array, got ${describe(contained)}`);
      return { kind: 'jsonContains', field, value: contained };
    }
    return { kind: 'jsonContains', field, value: ownJson(parse, contained, [...path, 'contains']) };
  }
  if (isPlainObject(value) && 'path' in value && 'equals' in value && Object.keys(value).length === 2) {
    const keys = Array.isArray(value.path) ? Array.from(value.path as unknown[]) : value.path;
    if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_JSON_PATH || Array.from(keys).some((key) => typeof key !== 'string')) {
      issues.add('INVALID_FILTER', [...path, 'path'], `path takes a list of 1 to ${MAX_JSON_PATH} keys (strings), got ${describe(keys)}`);
    } else {
      parse.values += keys.length;
      keys.forEach((key, i) => checkFieldValue(issues, { ...field, kind: 'string', optional: false }, key, [...path, 'path', i]));
    }
    const equals = value.equals;
    if (equals !== null && !['string', 'number', 'boolean'].includes(typeof equals)) {
      issues.add('INVALID_FILTER', [...path, 'equals'], `equals takes a string, number, boolean or null, got ${describe(equals)}`);
    } else if (equals !== null) checkJsonValue(issues, equals, [...path, 'equals']);
    return { kind: 'jsonPath', field, path: keys as string[], value: equals as string | number | boolean | null };
  }
  issues.add('INVALID_FILTER', path, 'a JSON field is filtered with { path: [...keys], equals: value }, { contains: {...} } or null');
  return TRUE;
}
