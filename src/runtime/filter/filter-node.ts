import type { VectorFieldKind } from '../vector-store.js';

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

export const TRUE: FilterNode = { kind: 'and', children: [] };
