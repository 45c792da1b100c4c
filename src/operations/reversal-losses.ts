/**
 * What a reversal loses, judged by identity and contents, never by names: a hand-edited reversal may drop a table
 * and create another under its name, drop a column and add it again, TRUNCATE or DELETE, and the catalog's names
 * are then the same before and after. Its rehearsal (rolled back) says which tables it wrote to, altered or dropped
 * (the relation locks it took stronger than reading, and the OIDs gone from the catalog) and what became of each
 * (the same OID, else a table of the same name; the same attribute number, else a column of the same name). The
 * run then counts those tables' rows and their columns' non-null values before and after, in its own transaction.
 */
import { quoteIdentifier as quote } from '../runtime/pgvector/quote-identifier.js';
import type { Statement } from '../runtime/postgres/connection.js';

/**
 * Every plain table of the database's own schemas (partitions included: a reversal may reach beyond the schema
 * of the migrations, by a qualified name, a CASCADE or a trigger) and its columns, by OID and attribute number,
 * named as the current schema's tables are written (qualified in the others). Generated columns (keyword search's
 * tsvector) hold nothing of their own: PostgreSQL computes them again.
 */
export const IDENTITY: Statement = {
  sql: `select c.oid::text, case when n.nspname = current_schema() then c.relname else n.nspname || '.' || c.relname end,
               quote_ident(n.nspname) || '.' || quote_ident(c.relname), a.attnum, a.attname from pg_class c
          join pg_namespace n on n.oid = c.relnamespace and n.nspname <> 'information_schema' and n.nspname !~ '^pg_'
          left join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
         where c.relkind = 'r'`,
  params: [],
};

/** The relations this transaction has locked for more than reading: written, truncated, altered or dropped. */
export const WRITTEN: Statement = {
  sql: `select distinct relation::text from pg_locks where pid = pg_backend_pid() and locktype = 'relation' and mode <> 'AccessShareLock'`,
  params: [],
};

/** A table the reversal touches: its columns, and what each became (undefined: gone), so that their counts compare. */
export interface Fate {
  table: string;
  /** The table's quoted, qualified name. */
  relation: string;
  columns: string[];
  /** Its OID is gone: dropped (and perhaps made again under its name). */
  ended: boolean;
  /** Per column: its attribute number is gone from a table that stayed (dropped, and perhaps added again). */
  columnsEnded: boolean[];
  after?: { relation: string; columns: Array<string | undefined> };
}

/** A table, or a column of one, that the reversal drops or empties, with the rows (non-null values) it loses. */
export interface DroppedData {
  table: string;
  column?: string;
  rows: number;
}

type Table = { name: string; relation: string; columns: Map<number, string> };

function tables(identity: unknown[][]): Map<string, Table> {
  const byOid = new Map<string, Table>();
  for (const [oid, name, relation, attnum, column] of identity) {
    const table = byOid.get(oid as string) ?? { name: name as string, relation: relation as string, columns: new Map<number, string>() };
    if (column !== null) table.columns.set(Number(attnum), column as string);
    byOid.set(oid as string, table);
  }
  return byOid;
}

/** The fates of the tables `written` touched, from the identities before and after, in the order of their names. */
export function fates(identityBefore: unknown[][], written: unknown[][], identityAfter: unknown[][]): Fate[] {
  const before = tables(identityBefore);
  const after = tables(identityAfter);
  const locked = new Set(written.map(([oid]) => oid as string));
  const afterByName = new Map([...after.values()].map((table) => [table.name, table]));
  const touched = [...before].filter(([oid]) => locked.has(oid) || !after.has(oid));
  return touched
    .map(([oid, table]): Fate => {
      const stayed = after.get(oid);
      const successor = stayed ?? afterByName.get(table.name);
      const names = [...successor?.columns.values() ?? []];
      const columns = [...table.columns].map(([attnum, name]) => ({ name, same: stayed?.columns.get(attnum) }));
      return {
        table: table.name,
        relation: table.relation,
        columns: columns.map((column) => column.name),
        ended: !stayed,
        columnsEnded: columns.map((column) => stayed !== undefined && column.same === undefined),
        ...(successor && { after: { relation: successor.relation, columns: columns.map((column) => column.same ?? (names.includes(column.name) ? column.name : undefined)) } }),
      };
    })
    .sort((a, b) => (a.table < b.table ? -1 : 1));
}

/** Its rows and the non-null values of `columns` (0 for a column that is not there). */
const counting = (relation: string, columns: Array<string | undefined>): Statement => ({
  sql: `select ${['count(*)', ...columns.map((column) => (column === undefined ? '0' : `count(${quote(column)})`))].join(', ')} from ${relation}`,
  params: [],
});

/** The counts to take before the reversal, one statement per fate. */
export const countsBefore = (touched: Fate[]): Statement[] => touched.map((fate) => counting(fate.relation, fate.columns));

/** The counts to take after it, one statement per fate whose table is still there under some name. */
export const countsAfter = (touched: Fate[]): Statement[] => touched.flatMap((fate) => (fate.after ? [counting(fate.after.relation, fate.after.columns)] : []));

/**
 * What was lost, from the counts' rows: a table that ended or lost rows, and, in a table that kept its rows, a
 * column that ended (all its values: one added again under its name holds new ones, a default's perhaps) or lost
 * values. Tables first, then columns, each in order.
 */
export function losses(touched: Fate[], before: unknown[][], after: unknown[][]): DroppedData[] {
  const tableLosses: DroppedData[] = [];
  const columnLosses: DroppedData[] = [];
  let next = 0;
  touched.forEach((fate, i) => {
    const [rows, ...values] = before[i].map(Number);
    const [rowsAfter, ...valuesAfter] = fate.after ? after[next++].map(Number) : [0];
    const lost = (count: number, left: number | undefined) => Math.max(0, count - (left ?? 0));
    if (fate.ended || lost(rows, rowsAfter) > 0) tableLosses.push({ table: fate.table, rows: lost(rows, rowsAfter) });
    // Rows lost take their values with them: the table's line says it.
    if (lost(rows, rowsAfter) > 0 || !fate.after) return;
    fate.columns.forEach((column, j) => {
      const lostValues = fate.columnsEnded[j] ? values[j] : lost(values[j], valuesAfter[j]);
      if (fate.columnsEnded[j] || lostValues > 0) columnLosses.push({ table: fate.table, column, rows: lostValues });
    });
  });
  columnLosses.sort((a, b) => (`${a.table}.${a.column}` < `${b.table}.${b.column}` ? -1 : 1));
  return [...tableLosses, ...columnLosses];
}
