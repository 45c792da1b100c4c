import type { PgColumn } from 'drizzle-orm/pg-core';
import { quoteIdentifier as quote } from './quote-identifier.js';
import type { VectorLiteral } from './vector-literal.js';
import type { Statement } from '../postgres/connection.js';

/**
 * INSERT … SELECT FROM unnest(…): one bound parameter per column, whatever the number of rows, where a
 * VALUES list binds one per value (and is slower to build, send and parse). Each parameter is a PostgreSQL
 * array literal of the values' text forms — every element double-quoted with `\` and `"` escaped, NULL bare —
 * cast back to the column's type. Identifiers come from the generated table, hence from the validated schema.
 */
export function insertStatement(
  table: string,
  columns: Array<[name: string, column: PgColumn]>,
  rows: ReadonlyArray<Record<string, unknown>>,
  vectorLiteral: VectorLiteral,
  onConflict?: OnConflict,
): Statement {
  const names = columns.map(([, column]) => quote(column.name));
  const params: unknown[] = columns.map(([name, column]) =>
    isVectorColumn(column)
      ? // Vector literals hold only digits, letters, `.`, `-`, `,` and brackets: quoted, with nothing to escape.
        `{${rows.map((row) => `"${vectorLiteral(row[name] as ArrayLike<number>)}"`).join(',')}}`
      : arrayLiteral(rows.map((row) => textOf(row[name]))),
  );
  const casts = columns.map(([, column], i) => `u.${names[i]}::${column.getSQLType()}`);
  const sql = `INSERT INTO ${quote(table)} (${names.join(', ')}) SELECT ${casts.join(', ')} FROM unnest(${params.map((_, i) => `$${i + 1}::text[]`).join(', ')}) AS u(${names.join(', ')})`;
  return { sql: sql + conflictClause(table, names, params, onConflict), params };
}

/** The same insert from a table of the same columns (a COPY's temporary table) instead of parameters. */
export function insertFromStatement(table: string, source: string, columns: Array<[name: string, column: PgColumn]>, onConflict?: OnConflict): Statement {
  const names = columns.map(([, column]) => quote(column.name)).join(', ');
  const params: unknown[] = [];
  const sql = `INSERT INTO ${quote(table)} (${names}) SELECT ${names} FROM ${source}`;
  return { sql: sql + conflictClause(table, columns.map(([, column]) => quote(column.name)), params, onConflict), params };
}

/** What an upsert does on an existing id: replaces the row, only within the tenant when there is one (see the caller's check). */
export interface OnConflict {
  tenantColumn?: PgColumn;
  tenantId?: string;
  /** An assignment made on every replaced row besides its values (a linked collection's `written_at = now()`). */
  touch?: string | undefined;
}

function conflictClause(table: string, names: string[], params: unknown[], onConflict: OnConflict | undefined): string {
  if (!onConflict) return '';
  const updates = [...names.filter((name) => name !== '"id"').map((name) => `${name} = excluded.${name}`), ...(onConflict.touch ? [onConflict.touch] : [])];
  let sql = ` ON CONFLICT ("id") DO UPDATE SET ${updates.join(', ')}`;
  if (onConflict.tenantColumn) sql += ` WHERE ${quote(table)}.${quote(onConflict.tenantColumn.name)} = $${params.push(onConflict.tenantId)}`;
  return `${sql} RETURNING "id"`;
}

export const isVectorColumn = (column: PgColumn) => column.columnType === 'PgVector' || column.columnType === 'PgHalfVector';

/** A value's text form, as PostgreSQL's input function for the column reads it. */
function textOf(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (Object.is(value, -0)) return '-0'; // String(-0) is "0"; binary COPY and Milvus keep the sign
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value); // jsonb
}

export function arrayLiteral(values: Array<string | null>): string {
  return `{${values.map((value) => (value === null ? 'NULL' : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`)).join(',')}}`;
}
