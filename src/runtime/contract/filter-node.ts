import type { VectorFieldKind } from './vector-store.js';

export type Scalar = string | number | boolean | Date;

/** A field a filter can name: the record's id or one of its scalar fields. */
export interface FilterField {
  name: string;
  column: string;
  kind: VectorFieldKind;
  optional: boolean;
}

/** A validated filter, independent of the backend that runs it. */
export type FilterNode =
  | { kind: 'and' | 'or'; children: FilterNode[] }
  | { kind: 'not'; child: FilterNode }
  | { kind: 'compare'; field: FilterField; op: 'eq' | 'gt' | 'gte' | 'lt' | 'lte'; value: Scalar }
  | { kind: 'in'; field: FilterField; values: Scalar[]; negated: boolean }
  | { kind: 'isNull'; field: FilterField }
  | { kind: 'jsonPath'; field: FilterField; path: string[]; value: string | number | boolean | null }
  | { kind: 'jsonContains'; field: FilterField; value: unknown };

/** Matches every row: an empty AND. */
export const TRUE: FilterNode = { kind: 'and', children: [] };
/** Matches no row: an empty OR. */
export const FALSE: FilterNode = { kind: 'or', children: [] };

export const isTrue = (node: FilterNode): boolean => node.kind === 'and' && node.children.length === 0;
export const isFalse = (node: FilterNode): boolean => node.kind === 'or' && node.children.length === 0;

/*
 * Constructors that fold constants as the filter is built, so that what a filter decides is visible in its
 * shape: `{ AND: [] }`, `{ OR: [{}] }`, `{ NOT: [{ OR: [] }] }` or `{ id: { notIn: [] } }` all become TRUE,
 * and `delete` can refuse a filter that matches everything however it was written.
 */
export function allOf(children: FilterNode[]): FilterNode {
  if (children.some(isFalse)) return FALSE;
  const kept = children.filter((child) => !isTrue(child));
  return kept.length === 1 ? kept[0] : { kind: 'and', children: kept };
}

export function anyOf(children: FilterNode[]): FilterNode {
  if (children.some(isTrue)) return TRUE;
  const kept = children.filter((child) => !isFalse(child));
  return kept.length === 1 ? kept[0] : { kind: 'or', children: kept };
}

export function not(child: FilterNode): FilterNode {
  if (isTrue(child)) return FALSE;
  if (isFalse(child)) return TRUE;
  return { kind: 'not', child };
}

export function inList(field: FilterField, values: Scalar[], negated: boolean): FilterNode {
  if (values.length === 0) return negated ? TRUE : FALSE;
  return { kind: 'in', field, values, negated };
}
