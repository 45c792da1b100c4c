import { createHash } from 'node:crypto';
import { getTableColumns, getTableName } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { PolystoreError } from '../../errors.js';
import type { Connection } from '../connection.js';
import { parseDeleteTarget } from '../delete-target.js';
import { type FilterNode, isFalse } from '../filter/filter-node.js';
import { parseWhere } from '../filter/parse-where.js';
import { stampTenant, type TenantScope, updateChanges, withinTenant } from '../tenant.js';
import { validateIds, validateReadOptions, validateRecords, validateSearch } from '../validate.js';
import { type BackendStore, bestFirst, type ReadOptions, type SearchHit, type SearchQuery, type VectorCollectionDescriptor, type VectorRecordBase } from '../vector-store.js';
import { binaryCopyEncoder } from './binary-copy.js';
import { insertFromStatement, insertStatement, isVectorColumn } from './insert-sql.js';
import { quoteIdentifier as quote } from './quote-identifier.js';
import { searchSettings } from './search-settings.js';
import type { ServerTraits } from './server-probe.js';
import { whereSql } from './where-sql.js';

/** pgvector's distance operators, and the higher-is-better score each distance maps to. */
const METRICS = {
  cosine: { operator: '<=>', score: (distance: number) => 1 - distance },
  l2: { operator: '<->', score: (distance: number) => -distance },
  // `<#>` is the negative inner product.
  ip: { operator: '<#>', score: (distance: number) => -distance },
} as const;

/** Rows per INSERT statement: bounds the size of one statement's parameters (1,000 × 1,536 floats ≈ 20 MB). */
const ROWS_PER_STATEMENT = 1_000;
/** What the driver reports for a statement after a failed COPY in the same transaction. */
const TRANSACTION_ABORTED = '25P02';

/**
 * A VectorStore over one generated Drizzle table; with a scope, every statement is restricted to that tenant.
 * `ready` runs the migrations when they are automatic, and tells how this server reads vector text and takes COPY.
 *
 * Statements are SQL text run straight on the driver (Connection.execute): the table's identifiers, quoted,
 * and $n placeholders, every value bound, encoded and decoded by the Drizzle column it belongs to. Drizzle's
 * query builder and execution cost ~0.5 ms a statement on PGlite, several times this library's budget.
 */
export function createPgvectorStore<T extends VectorRecordBase, W>(
  descriptor: VectorCollectionDescriptor,
  connection: Connection<Record<string, unknown>>,
  ready: () => Promise<ServerTraits>,
  scope?: TenantScope,
): BackendStore<T, W> {
  const table = descriptor.table as PgTable;
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const columnList = Object.entries(columns);
  const metric = METRICS[descriptor.metric];
  const tableName = getTableName(table);
  const quotedTable = quote(tableName);
  const idName = quote(columns.id.name);
  /** A filter within the store's tenant as a condition, its values appended to `params`. */
  const filterSql = (filter: FilterNode, params: unknown[]): string => whereSql(columns, withinTenant(descriptor, scope, filter), params);
  const condition = (where: unknown, operation: string, params: unknown[]): string => filterSql(parseWhere(descriptor, where, operation), params);
  // What a read selects, with and without the (large) embedding; fixed per store.
  const selections = { withVector: columnList, withoutVector: columnList.filter(([name]) => name !== 'embedding') };
  const selectLists = {
    withVector: selections.withVector.map(([, column]) => quote(column.name)).join(', '),
    withoutVector: selections.withoutVector.map(([, column]) => quote(column.name)).join(', '),
  };
  const distance = `${quote(columns.embedding.name)} ${metric.operator}`;
  // The binary COPY path: one temporary table per session, emptied at each commit.
  const loadTable = quote(loadTableName(tableName));
  const createLoadTable = { sql: `CREATE TEMP TABLE IF NOT EXISTS ${loadTable} (LIKE ${quotedTable}) ON COMMIT DELETE ROWS`, params: [] };
  const encodeCopy = binaryCopyEncoder(descriptor, columnList.map(([name]) => name));
  /** One statement, run as one call: its rows as arrays. With `read`, one that only reads, which may go to a replica. */
  const query = async (operation: string, sql: string, params: unknown[], read?: ReadOptions) =>
    (await run(operation, () => (read ? connection.read([{ sql, params }], read.consistency) : connection.execute([{ sql, params }]))))[0];

  async function write(records: readonly T[], operation: 'insert' | 'upsert'): Promise<void> {
    const stamped = stampTenant(records, scope, operation);
    validateRecords(descriptor, stamped, operation);
    if (stamped.length === 0) return;
    // In id order: concurrent writes of overlapping ids then lock rows in one order, and cannot deadlock.
    const rows = [...stamped].sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : (a.id as string) > (b.id as string) ? 1 : 0));
    const { vectorLiteral, copyFromRows } = await run(operation, ready);
    // Large writes go over binary COPY.
    const copyIn = copyFromRows !== undefined && rows.length >= copyFromRows ? connection.copyIn : undefined;
    const data = copyIn && encodeCopy(rows);
    if (copyIn && data && operation === 'insert') {
      // Straight into the table. The driver drops a failed COPY's error (only "transaction aborted" comes back):
      // nothing was written, so the call runs again the other way, whose INSERT reports PostgreSQL's own words.
      const copy = { into: `${quotedTable} (${selectLists.withVector})`, data };
      const aborted = await copyIn([], copy, []).then(
        () => false,
        (error: unknown) => (error as { code?: string }).code === TRANSACTION_ABORTED || run(operation, () => Promise.reject(error)),
      );
      if (!aborted) return;
    }
    const onConflict = operation === 'upsert' ? (scope ? { tenantColumn: columns[scope.field], tenantId: scope.tenantId } : {}) : undefined;
    const batches: Array<Array<Record<string, unknown>>> = [];
    const size = copyIn ? rows.length : ROWS_PER_STATEMENT;
    for (let start = 0; start < rows.length; start += size) batches.push(rows.slice(start, start + size));
    // An upsert under a tenant skips, rather than overwrites, a row of another tenant: that rolls it all back.
    const check = scope && operation === 'upsert'
      ? (written: unknown[][], index: number) => {
          const ids = new Set(written.map((row) => row[0]));
          const taken = batches[index].find((row) => !ids.has(row.id));
          if (taken) throw new PolystoreError('ID_CONFLICT', `upsert: id ${JSON.stringify(taken.id)} belongs to another tenant; nothing was written`);
        }
      : undefined;
    if (copyIn && data) {
      // Into a temporary table, then one INSERT … SELECT from it (ON CONFLICT for an upsert).
      const copy = { into: `pg_temp.${loadTable} (${selectLists.withVector})`, data };
      await run(operation, () => copyIn([createLoadTable], copy, [insertFromStatement(tableName, `pg_temp.${loadTable}`, columnList, onConflict)], check));
      return;
    }
    await run(operation, () => connection.execute(batches.map((batch) => insertStatement(tableName, columnList, batch, vectorLiteral, onConflict)), check));
  }

  return {
    insert: (records) => write(records, 'insert'),
    upsert: (records) => write(records, 'upsert'),

    async search(search: SearchQuery<W>): Promise<Array<SearchHit<T>>> {
      validateSearch(descriptor, search);
      const params: unknown[] = [];
      const where = condition(search.where, 'search', params);
      const literal = (await run('search', ready)).vectorLiteral;
      const vector = `$${params.push(literal(search.vector))}::${descriptor.storage}`;
      const limit = `$${params.push(search.topK)}`;
      const selection = search.includeVector ? selections.withVector : selections.withoutVector;
      const list = search.includeVector ? selectLists.withVector : selectLists.withoutVector;
      // Ordering by the selected alias binds the query vector once; PostgreSQL still orders by the index.
      const statement = { sql: `select ${list}, ${distance} ${vector} as "polystore_distance" from ${quotedTable} where ${where} order by "polystore_distance" limit ${limit}`, params };
      const settings = searchSettings(descriptor, search.topK);
      const results = await run('search', () => connection.read([...(settings ? [settings] : []), statement], search.consistency));
      const hits = results.at(-1)!.map((values) => {
        const record = decodeRow(selection, values);
        return { id: record.id as string, score: metric.score(Number(values[selection.length])), record: record as unknown as T };
      });
      return bestFirst(hits, search.minScore);
    },

    async get(ids, options) {
      validateIds(ids, 'get');
      validateReadOptions(options, 'get');
      if (ids.length === 0) return [];
      const params: unknown[] = [];
      const where = condition({ id: { in: ids } }, 'get', params);
      await run('get', ready);
      const rows = await query('get', `select ${selectLists.withVector} from ${quotedTable} where ${where}`, params, options ?? {});
      const byId = new Map(rows.map((values) => decodeRow(selections.withVector, values)).map((record) => [record.id, record]));
      return ids.flatMap((key) => (byId.has(key) ? [byId.get(key) as unknown as T] : []));
    },

    async count(filter, options) {
      validateReadOptions(options, 'count');
      const params: unknown[] = [];
      const where = condition(filter, 'count', params);
      await run('count', ready);
      const [[n]] = await query('count', `select count(*) from ${quotedTable} where ${where}`, params, options ?? {});
      return Number(n);
    },

    async update(key, changes) {
      const values = updateChanges(descriptor, scope, key, changes);
      const params: unknown[] = [];
      const where = condition({ id: key }, 'update', params);
      const literal = (await run('update', ready)).vectorLiteral;
      // Each value as its column encodes it; vectors as on insert.
      const assignments = Object.entries(values).map(([name, value]) => {
        const column = columns[name];
        const encoded = value === null ? null : isVectorColumn(column) ? literal(value as number[]) : column.mapToDriverValue(value);
        return `${quote(column.name)} = $${params.push(encoded)}`;
      });
      const sql = assignments.length === 0
        ? `select ${idName} from ${quotedTable} where ${where}`
        : `update ${quotedTable} set ${assignments.join(', ')} where ${where} returning ${idName}`;
      const found = await query('update', sql, params);
      if (found.length === 0) throw new PolystoreError('NOT_FOUND', `update: no record with id ${JSON.stringify(key)}${scope ? ' for this tenant' : ''}`);
    },

    async delete(target) {
      const { filter } = parseDeleteTarget(descriptor, target);
      if (isFalse(filter)) return 0;
      const params: unknown[] = [];
      const where = filterSql(filter, params);
      await run('delete', ready);
      return (await query('delete', `delete from ${quotedTable} where ${where} returning ${idName}`, params)).length;
    },

    async page(after, limit) {
      await run('scan', ready);
      // Keyset paging on the primary key's index, in the column's own order.
      const params: unknown[] = after === undefined ? [limit] : [limit, after];
      const sql = `select ${selectLists.withVector} from ${quotedTable}${after === undefined ? '' : ` where ${idName} > $2`} order by ${idName} limit $1`;
      const records = (await query('scan', sql, params)).map((values) => decodeRow(selections.withVector, values) as unknown as T);
      return { records, cursor: records.length === 0 ? after : records.at(-1)!.id };
    },
  };
}

/**
 * A row read by Connection.execute, each value decoded by its Drizzle column as Drizzle's own select would;
 * a vector's elements then as the float32 (or float16) values stored (pgvector prints the shortest decimal, 0.1 for
 * 0.100000001…), as Milvus returns them.
 */
function decodeRow(selection: Array<[string, PgColumn]>, values: unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  selection.forEach(([name, column], i) => {
    const value = values[i];
    if (value === null) row[name] = null;
    else if (isVectorColumn(column)) row[name] = (column.mapFromDriverValue(value) as number[]).map(Math.fround);
    else if (typeof value === 'string' && column.columnType === 'PgTimestamp') row[name] = timestampFromText(value);
    else row[name] = column.mapFromDriverValue(value);
  });
  return row;
}

/**
 * timestamptz text: `0001-01-01 00:00:00.123+00`, in any session time zone: offsets such as `+05:41:16`, and
 * west of UTC the first hours of year 1 print as `0001-12-31 20:29:08-03:30:52 BC`.
 */
const TIMESTAMPTZ = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(\.\d+)?([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?( BC)?$/;

/**
 * A timestamptz as the drivers hand it over as text, read field by field. `new Date(text)` (Drizzle's, PGlite's)
 * reads years below 100 as 19xx or 20xx, and no JavaScript parser takes an offset with seconds, which PostgreSQL
 * prints for old dates in many time zones.
 */
function timestampFromText(text: string): Date {
  const match = TIMESTAMPTZ.exec(text);
  if (!match) return new Date(text);
  const [year, month, day, hours, minutes, seconds] = match.slice(1, 7).map(Number);
  const date = new Date(0);
  // 1 BC is year 0 of JavaScript's (and ISO 8601's) count.
  date.setUTCFullYear(match[12] ? 1 - year : year, month - 1, day);
  date.setUTCHours(hours, minutes, seconds, match[7] ? Math.round(Number(match[7]) * 1000) : 0);
  const offset = (Number(match[9]) * 3600 + Number(match[10] ?? 0) * 60 + Number(match[11] ?? 0)) * 1000;
  return new Date(date.getTime() - (match[8] === '-' ? -offset : offset));
}

/** The temporary table a COPY loads into: named after the table, hashed where that would pass PostgreSQL's 63 bytes. */
function loadTableName(table: string): string {
  const name = `polystore_load_${table}`;
  return Buffer.byteLength(name) <= 63 ? name : `polystore_load_${createHash('sha256').update(table).digest('hex').slice(0, 32)}`;
}

/** Runs a statement, turning the database's errors into PolystoreErrors. */
async function run<R>(operation: string, statement: () => Promise<R>): Promise<R> {
  try {
    return await statement();
  } catch (error) {
    if (error instanceof PolystoreError) throw error;
    type DriverError = { code?: string; detail?: string; message?: string };
    const cause = (error as { cause?: DriverError }).cause ?? (error as DriverError);
    if (cause.code === '23505') {
      // Worded as on Milvus: "Key (id)=(…) already exists." names the id.
      const id = /^Key \(id\)=\((.*)\) already exists\.$/s.exec(cause.detail ?? '')?.[1];
      const what = id === undefined ? 'a record with this id' : `a record with id ${JSON.stringify(id)}`;
      throw new PolystoreError('DUPLICATE_ID', `${operation}: ${what} already exists; nothing was written`, { cause: error });
    }
    // A missing table (42P01), or pgvector itself (42704, type "vector" does not exist): the migrations make both.
    if (cause.code === '42P01' || cause.code === '42704') {
      throw new PolystoreError('COLLECTION_MISSING', `${operation}: ${cause.message}; run the migrations (db.migrate())`, { cause: error });
    }
    throw new PolystoreError('DATABASE_ERROR', `${operation}: ${cause.message ?? String(error)}`, { cause: error });
  }
}
