/** A linked collection's records on PostgreSQL, for integrity/: keyset pages over the primary key, deletes by id. */
import { getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { arrayLiteral } from './insert-sql.js';
import { quoteIdentifier as quote } from './quote-identifier.js';
import { runStatement } from './statement-errors.js';
import { linksOf, WRITTEN_AT_COLUMN } from '../contract/document-link.js';
import type { LinkedRecords, LinkedRow, WrittenWindow } from '../contract/linked-records.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';
import type { Connection } from '../postgres/connection.js';

/**
 * A time as a timestamptz parameter: one before year 1 or after 9999 (a grace of centuries, a far bound), which
 * PostgreSQL's input would refuse in ISO's extended years, as the infinity on its side.
 */
const timestamp = (date: Date) => (date.getUTCFullYear() < 1 ? '-infinity' : date.getUTCFullYear() > 9999 ? 'infinity' : date.toISOString());

export function pgvectorLinks(descriptor: VectorCollectionDescriptor, connection: Pick<Connection<never>, 'execute'>, ready: () => Promise<unknown>): LinkedRecords {
  const table = quote(getTableName(descriptor.table as PgTable));
  const operation = `integrity of "${descriptor.name}"`;
  /** The statement after the migrations (when automatic), its errors as the store's are. */
  const execute = (sql: string, params: unknown[]) =>
    runStatement(operation, async () => {
      await ready();
      return (await connection.execute([{ sql, params }]))[0];
    });
  const links = linksOf(descriptor);
  const tenant = descriptor.fields.find((field) => field.name === descriptor.tenant);
  const written = quote(WRITTEN_AT_COLUMN);
  const selected = ['id', tenant ? quote(tenant.column) : 'NULL', `(extract(epoch from ${written}) * 1000)::float8`, ...links.map((link) => quote(link.column))];
  /** The window's conditions (and the cursor's), their values appended to `params`. */
  const where = (window: WrittenWindow, after: string | undefined, params: unknown[]) => {
    const conditions = [
      ...(after === undefined ? [] : [`id > $${params.push(after)}`]),
      ...(window.since ? [`${written} >= $${params.push(timestamp(window.since))}::timestamptz`] : []),
      ...(window.until ? [`${written} < $${params.push(timestamp(window.until))}::timestamptz`] : []),
    ];
    return conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : '';
  };
  return {
    async count(window) {
      const params: unknown[] = [];
      const [[count]] = await execute(`SELECT count(*)::int FROM ${table}${where(window, undefined, params)}`, params);
      return Number(count);
    },
    async page(window, after, limit) {
      const params: unknown[] = [limit];
      const rows = await execute(`SELECT ${selected.join(', ')} FROM ${table}${where(window, after, params)} ORDER BY id LIMIT $1`, params);
      return rows.map((values): LinkedRow => {
        const [id, tenantId, writtenAt, ...refs] = values as [string, string | null, number, ...Array<string | null>];
        return { id, key: id, tenant: tenantId ?? undefined, writtenAt: new Date(Number(writtenAt)), refs: Object.fromEntries(links.map((link, i) => [link.field, refs[i] ?? null])) };
      });
    },
    async deleteWrittenBefore(rows, before) {
      if (rows.length === 0) return 0;
      const sql = `DELETE FROM ${table} WHERE id = ANY($1::text[]) AND ${written} < $2::timestamptz RETURNING id`;
      return (await execute(sql, [arrayLiteral(rows.map((row) => row.id)), timestamp(before)])).length;
    },
    async deleteLinked(field, documents, tenantId) {
      if (documents.length === 0) return 0;
      const link = links.find((candidate) => candidate.field === field)!;
      const params: unknown[] = [arrayLiteral([...documents])];
      const inTenant = tenantId !== undefined && tenant ? ` AND ${quote(tenant.column)} = $${params.push(tenantId)}` : '';
      return (await execute(`DELETE FROM ${table} WHERE ${quote(link.column)} = ANY($1::text[])${inTenant} RETURNING id`, params)).length;
    },
    async present(ids) {
      if (ids.length === 0) return new Set();
      const rows = await execute(`SELECT id FROM ${table} WHERE id = ANY($1::text[])`, [arrayLiteral([...ids])]);
      return new Set(rows.map(([id]) => id as string));
    },
  };
}
