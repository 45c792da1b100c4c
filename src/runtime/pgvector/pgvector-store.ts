import { count, getTableColumns, getTableName, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgDialect, PgTable } from 'drizzle-orm/pg-core';
import { PolystoreError } from '../../errors.js';
import type { Connection } from '../connection.js';
import { parseDeleteTarget } from '../delete-target.js';
import { checkTenantChange, scopedFilter, stampTenant, type TenantScope } from '../tenant.js';
import { validateChanges, validateIds, validateRecords, validateSearch } from '../validate.js';
import { type BackendStore, bestFirst, type SearchHit, type SearchQuery, type VectorCollectionDescriptor, type VectorRecordBase } from '../vector-store.js';
import { insertStatement } from './insert-sql.js';
import { searchSettings } from './search-settings.js';
import { whereSql } from './where-sql.js';

/** pgvector's distance operators, and the higher-is-better score each distance maps to. */
const METRICS = {
  cosine: { operator: sql.raw('<=>'), score: (distance: number) => 1 - distance },
  l2: { operator: sql.raw('<->'), score: (distance: number) => -distance },
  // `<#>` is the negative inner product.
  ip: { operator: sql.raw('<#>'), score: (distance: number) => -distance },
} as const;

/** Rows per INSERT statement: bounds the size of one statement's parameters (1,000 × 1,536 floats ≈ 20 MB). */
const ROWS_PER_STATEMENT = 1_000;

/** A VectorStore over one generated Drizzle table; with a scope, every statement is restricted to that tenant. */
export function createPgvectorStore<T extends VectorRecordBase, W>(
  descriptor: VectorCollectionDescriptor,
  connection: Connection<Record<string, unknown>>,
  ready: () => Promise<void>,
  scope?: TenantScope,
): BackendStore<T, W> {
  const table = descriptor.table as PgTable;
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  const { embedding, id } = columns;
  const db = connection.db;
  const metric = METRICS[descriptor.metric];
  const condition = (where: unknown, operation: string): SQL => whereSql(columns, scopedFilter(descriptor, scope, where, operation));
  const tableName = getTableName(table);
  const columnList = Object.entries(columns);
  // What a search selects, with and without the (large) embedding; fixed per store.
  const selections = { withVector: columnList, withoutVector: columnList.filter(([name]) => name !== 'embedding') };
  const vectorParam = (vector: readonly number[]) => sql`${JSON.stringify(vector)}::${sql.raw(descriptor.storage)}`;
  // The search statement is one template compiled by the dialect: Drizzle's select builder costs ~0.2 ms a call.
  const dialect = (db as unknown as { dialect: PgDialect }).dialect;
  const selectLists = {
    withVector: sql.join(selections.withVector.map(([, column]) => sql.identifier(column.name)), sql`, `),
    withoutVector: sql.join(selections.withoutVector.map(([, column]) => sql.identifier(column.name)), sql`, `),
  };

  async function write(records: readonly T[], operation: 'insert' | 'upsert'): Promise<void> {
    const rows = stampTenant(records, scope, operation);
    validateRecords(descriptor, rows, operation);
    if (rows.length === 0) return;
    await ready();
    const onConflict = operation === 'upsert' ? (scope ? { tenantColumn: columns[scope.field], tenantId: scope.tenantId } : {}) : undefined;
    const batches: Array<Array<Record<string, unknown>>> = [];
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) batches.push(rows.slice(start, start + ROWS_PER_STATEMENT));
    const statements = batches.map((batch) => insertStatement(tableName, columnList, batch, onConflict));
    // An upsert under a tenant skips, rather than overwrites, a row of another tenant: that rolls it all back.
    const check = scope && operation === 'upsert'
      ? (written: unknown[][], index: number) => {
          const ids = new Set(written.map((row) => row[0]));
          const taken = batches[index].find((row) => !ids.has(row.id));
          if (taken) throw new PolystoreError('ID_CONFLICT', `upsert: id ${JSON.stringify(taken.id)} belongs to another tenant; nothing was written`);
        }
      : undefined;
    await run(operation, () => connection.execute(statements, check));
  }

  return {
    insert: (records) => write(records, 'insert'),
    upsert: (records) => write(records, 'upsert'),

    async search(query: SearchQuery<W>): Promise<Array<SearchHit<T>>> {
      validateSearch(descriptor, query);
      const where = condition(query.where, 'search');
      await ready();
      const selection = query.includeVector ? selections.withVector : selections.withoutVector;
      // Ordering by the selected alias binds the query vector once; PostgreSQL still orders by the index.
      const statement = dialect.sqlToQuery(
        sql`select ${query.includeVector ? selectLists.withVector : selectLists.withoutVector}, ${sql.identifier(embedding.name)} ${metric.operator} ${vectorParam(query.vector)} as "polystore_distance" from ${sql.identifier(tableName)} where ${where} order by "polystore_distance" limit ${query.topK}`,
      );
      const settings = searchSettings(descriptor, query.topK);
      const results = await run('search', () => connection.execute([...(settings ? [settings] : []), statement]));
      const rows = results.at(-1)!.map((values) => decodeRow(selection, values));
      const hits = rows.map(({ _distance, ...record }) => ({ id: record.id as string, score: metric.score(Number(_distance)), record: record as unknown as T }));
      return bestFirst(hits, query.minScore);
    },

    async get(ids) {
      validateIds(ids, 'get');
      if (ids.length === 0) return [];
      const where = condition({ id: { in: ids } }, 'get');
      await ready();
      const rows = await run('get', () => db.select().from(table).where(where));
      const byId = new Map(rows.map((row) => [(row as { id: string }).id, row]));
      return ids.flatMap((key) => (byId.has(key) ? [byId.get(key) as unknown as T] : []));
    },

    async count(where) {
      const filter = condition(where, 'count');
      await ready();
      const [row] = await run('count', () => db.select({ n: count() }).from(table).where(filter));
      return row.n;
    },

    async update(key, changes) {
      const values = changes as Record<string, unknown>;
      validateChanges(descriptor, key, values);
      checkTenantChange(scope, values);
      const where = condition({ id: key }, 'update');
      await ready();
      const found =
        Object.keys(values).length === 0
          ? await run('update', () => db.select({ id }).from(table).where(where))
          : await run('update', () => db.update(table).set(values).where(where).returning({ id }));
      if (found.length === 0) throw new PolystoreError('NOT_FOUND', `update: no record with id ${JSON.stringify(key)}${scope ? ' for this tenant' : ''}`);
    },

    async delete(target) {
      const parsed = parseDeleteTarget(target);
      const where = 'ids' in parsed ? (parsed.ids.length === 0 ? sql`false` : condition({ id: { in: parsed.ids } }, 'delete')) : condition(parsed.where, 'delete');
      await ready();
      const deleted = await run('delete', () => db.delete(table).where(where).returning({ id }));
      return deleted.length;
    },

    async ids() {
      await ready();
      const rows = await run('scan', () => db.select({ id }).from(table));
      return rows.map((row) => row.id as string);
    },
  };
}

/**
 * A row read by Connection.execute. Both drivers already give numbers, booleans, Dates (timestamptz) and
 * parsed JSON; vectors arrive as text, which Drizzle's own column decoder turns into numbers. The selected
 * distance is the last value.
 */
function decodeRow(selection: Array<[string, PgColumn]>, values: unknown[]): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  selection.forEach(([name, column], i) => {
    const value = values[i];
    row[name] = value === null || column.columnType !== 'PgVector' && column.columnType !== 'PgHalfVector' ? value : column.mapFromDriverValue(value);
  });
  row._distance = values[selection.length];
  return row;
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
    if (cause.code === '42P01') throw new PolystoreError('COLLECTION_MISSING', `${operation}: the table does not exist; run the migrations (db.migrate())`, { cause: error });
    throw new PolystoreError('DATABASE_ERROR', `${operation}: ${cause.message ?? String(error)}`, { cause: error });
  }
}
