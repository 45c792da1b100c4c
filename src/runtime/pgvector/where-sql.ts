import { and, eq, gt, gte, inArray, isNull, lt, lte, not, notInArray, or, type SQL, sql } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { FilterNode } from '../filter/filter-node.js';

const COMPARE = { eq, gt, gte, lt, lte } as const;

/**
 * A FilterNode as SQL. Columns come from the generated Drizzle table; every
 * value is a bound parameter (Drizzle encodes it for its column).
 */
export function whereSql(columns: Record<string, PgColumn>, node: FilterNode): SQL {
  switch (node.kind) {
    case 'and':
      return node.children.length === 0 ? sql`true` : and(...node.children.map((child) => whereSql(columns, child)))!;
    case 'or':
      return node.children.length === 0 ? sql`false` : or(...node.children.map((child) => whereSql(columns, child)))!;
    case 'not':
      return not(whereSql(columns, node.child));
    case 'compare':
      return COMPARE[node.op](columns[node.field.name], node.value);
    case 'in':
      if (node.values.length === 0) return node.negated ? sql`true` : sql`false`;
      return (node.negated ? notInArray : inArray)(columns[node.field.name], node.values);
    case 'isNull':
      return isNull(columns[node.field.name]);
    case 'jsonPath': {
      const keys = sql.join(node.path.map((key) => sql`${key}::text`), sql`, `);
      return sql`jsonb_extract_path(${columns[node.field.name]}, ${keys}) = ${JSON.stringify(node.value)}::jsonb`;
    }
    case 'jsonContains':
      return sql`${columns[node.field.name]} @> ${JSON.stringify(node.value)}::jsonb`;
  }
}
