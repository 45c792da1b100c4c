/**
 * Monthly partitions kept ahead of time. The first migration creates the months its schema names and a DEFAULT
 * partition; without more, every row written after them lands in DEFAULT. `ensurePartitions` creates, for each
 * range-partitioned table of the database (read from the catalog), the months from the current one to `ahead`
 * months on that do not exist yet — moving the rows DEFAULT already holds for such a month into it, in one
 * transaction per month under an exclusive lock on the table, so that writers wait a moment and none is lost.
 * With `retain`, the months that ended more than `retain` months before the current one are detached (or, with
 * `drop`, dropped). Each transaction holds the migrations' advisory lock: ensure and migrate never interleave.
 */
import { InvalidInputError } from '../errors.js';
import type { Connection, Statement } from '../runtime/connection.js';
import { quoteIdentifier as quote } from '../runtime/pgvector/quote-identifier.js';
import { MIGRATION_LOCK } from '../runtime/migrate-locked.js';
import { describe } from '../runtime/validate.js';
import { monthText, partitionName } from '../schema/partition-name.js';

export interface EnsurePartitionsOptions {
  /** Months after the current one to have partitions for (default 3, at most 120). */
  ahead?: number | undefined;
  /**
   * Months before the current one to keep: a partition whose range ends on or before the first of the month
   * `retain` months ago is detached from its table (kept as a table of its own). Never DEFAULT. Absent: none is touched.
   */
  retain?: number | undefined;
  /** With `retain`: drops those partitions, rows and all, instead of detaching them. */
  drop?: boolean | undefined;
  /** Lists what would be created and retired, and changes nothing. */
  dryRun?: boolean | undefined;
  /** The current month is this date's, in UTC (default: now). */
  now?: Date | undefined;
}

export interface CreatedPartition {
  table: string;
  partition: string;
  /** The month's bounds, as PostgreSQL reads them: from inclusive, to exclusive. */
  from: string;
  to: string;
  /** Rows moved out of DEFAULT (0 in a dry run: not counted). */
  movedRows: number;
}

export interface RetiredPartition {
  table: string;
  partition: string;
  /** The upper bound of its range, as PostgreSQL prints it. */
  to: string;
  /** Rows it held (detached: still there, in a table of its own; dropped: gone). */
  rows: number;
  action: 'detached' | 'dropped';
}

export interface PartitionsReport {
  created: CreatedPartition[];
  retired: RetiredPartition[];
}

interface PartitionedTable {
  table: string;
  column: string;
  defaultPartition: string | null;
  /** Each partition but DEFAULT, with the upper bound of its range (null: MAXVALUE, or not a range bound). */
  partitions: Map<string, string | null>;
}

/** A month's first instant, in UTC: digits only, made here, never from input, so it can stand as a literal. */
const monthStart = (index: number) => `${monthText(index)}-01 00:00:00+00`;
const bound = (index: number) => `'${monthStart(index)}'`;

const LOCKED = { sql: `select pg_advisory_xact_lock(${MIGRATION_LOCK})`, params: [] };

export async function ensurePartitions(connection: Pick<Connection<never>, 'execute'>, options: EnsurePartitionsOptions = {}): Promise<PartitionsReport> {
  const { ahead, retain, now } = checkEnsureOptions(options);
  const first = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const report: PartitionsReport = { created: [], retired: [] };
  for (const table of await partitionedTables(connection)) {
    for (let index = first; index <= first + ahead; index++) {
      const partition = partitionName(table.table, monthText(index));
      if (table.partitions.has(partition)) continue;
      const entry = { table: table.table, partition, from: monthStart(index), to: monthStart(index + 1), movedRows: 0 };
      if (!options.dryRun) entry.movedRows = await createMonth(connection, table, partition, index);
      report.created.push(entry);
    }
    if (retain !== undefined) report.retired.push(...(await retire(connection, table, monthStart(first - retain), Boolean(options.drop), Boolean(options.dryRun))));
  }
  return report;
}

function checkEnsureOptions(options: EnsurePartitionsOptions) {
  const { ahead = 3, retain, now = new Date() } = options;
  const issues: Array<{ code: 'INVALID_INPUT'; path: string[]; message: string }> = [];
  const problem = (path: string, message: string) => issues.push({ code: 'INVALID_INPUT', path: [path], message });
  if (!Number.isInteger(ahead) || ahead < 0 || ahead > 120) problem('ahead', `ahead must be an integer from 0 to 120, got ${describe(ahead)}`);
  if (retain !== undefined && (!Number.isInteger(retain) || retain < 1 || retain > 1200)) problem('retain', `retain must be an integer from 1 to 1200 (months), got ${describe(retain)}`);
  if (options.drop && retain === undefined) problem('drop', 'drop needs retain: the months to keep');
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) problem('now', `expected a valid Date, got ${describe(now)}`);
  if (issues.length > 0) throw new InvalidInputError('partitions.ensure', issues);
  return { ahead, retain, now };
}

/** The range-partitioned tables on one timestamp column, their partitions and their DEFAULT partition. */
async function partitionedTables(connection: Pick<Connection<never>, 'execute'>): Promise<PartitionedTable[]> {
  const [rows] = await connection.execute([
    {
      sql: `select parent.relname, a.attname, child.relname, pg_get_expr(child.relpartbound, child.oid)
              from pg_partitioned_table p
              join pg_class parent on parent.oid = p.partrelid
              join pg_namespace n on n.oid = parent.relnamespace and n.nspname = current_schema()
              join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0]
              left join pg_inherits i on i.inhparent = p.partrelid
              left join pg_class child on child.oid = i.inhrelid
             where p.partstrat = 'r' and p.partnatts = 1 and format_type(a.atttypid, a.atttypmod) like 'timestamp%'
             order by 1, 3`,
      params: [],
    },
  ]);
  const tables = new Map<string, PartitionedTable>();
  for (const [table, column, child, partitionBound] of rows as Array<[string, string, string | null, string | null]>) {
    const entry = tables.get(table) ?? { table, column, defaultPartition: null, partitions: new Map<string, string | null>() };
    tables.set(table, entry);
    if (child && partitionBound === 'DEFAULT') entry.defaultPartition = child;
    else if (child) entry.partitions.set(child, /TO \('([^']+)'\)$/.exec(partitionBound ?? '')?.[1] ?? null);
  }
  return [...tables.values()];
}

/**
 * One month, in one transaction: the table locked against writers (they wait, then route to the new partition),
 * DEFAULT's rows of the month set aside and deleted, the partition created, the rows inserted back through the
 * table. PostgreSQL refuses a partition whose range overlaps rows in DEFAULT, hence the move.
 */
async function createMonth(connection: Pick<Connection<never>, 'execute'>, table: PartitionedTable, partition: string, index: number): Promise<number> {
  const [parent, column, range] = [quote(table.table), quote(table.column), `>= ${bound(index)} and ${quote(table.column)} < ${bound(index + 1)}`];
  const statements: Statement[] = [LOCKED, { sql: `lock table ${parent} in access exclusive mode`, params: [] }];
  if (table.defaultPartition) {
    const fallback = quote(table.defaultPartition);
    statements.push(
      { sql: `create temp table polystore_moving on commit drop as select * from ${fallback} where ${column} ${range}`, params: [] },
      { sql: `delete from ${fallback} where ${column} ${range}`, params: [] },
    );
  }
  // IF NOT EXISTS: another process may have made it since the catalog was read; the lock has made it wait.
  statements.push({ sql: `create table if not exists ${quote(partition)} partition of ${parent} for values from (${bound(index)}) to (${bound(index + 1)})`, params: [] });
  if (table.defaultPartition) statements.push({ sql: `with moved as (insert into ${parent} select * from polystore_moving returning 1) select count(*) from moved`, params: [] });
  const results = await connection.execute(statements);
  return table.defaultPartition ? Number(results.at(-1)![0][0]) : 0;
}

/**
 * The partitions of `table` whose range ends on or before `cutoff`, detached or dropped each in a transaction of
 * its own, with the number of rows each holds. The database compares the bounds, as timestamps.
 */
async function retire(connection: Pick<Connection<never>, 'execute'>, table: PartitionedTable, cutoff: string, drop: boolean, dryRun: boolean): Promise<RetiredPartition[]> {
  const ended = [...table.partitions].filter((entry): entry is [string, string] => entry[1] !== null);
  if (ended.length === 0) return [];
  const [old] = await connection.execute([
    { sql: 'select name from unnest($1::text[], $2::text[]) as bound(name, upper) where upper::timestamptz <= $3::timestamptz order by upper::timestamptz', params: [ended.map(([name]) => name), ended.map(([, upper]) => upper), cutoff] },
  ]);
  const retired: RetiredPartition[] = [];
  for (const [partition] of old as Array<[string]>) {
    const count = { sql: `select count(*) from ${quote(partition)}`, params: [] };
    const change = { sql: drop ? `drop table ${quote(partition)}` : `alter table ${quote(table.table)} detach partition ${quote(partition)}`, params: [] };
    const results = await connection.execute(dryRun ? [count] : [LOCKED, count, change]);
    retired.push({ table: table.table, partition, to: table.partitions.get(partition)!, rows: Number(results[dryRun ? 0 : 1][0][0]), action: drop ? 'dropped' : 'detached' });
  }
  return retired;
}
