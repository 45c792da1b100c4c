/**
 * Monthly partitions kept ahead of time. The first migration creates the months its schema names and a DEFAULT
 * partition; without more, every row written after them lands in DEFAULT. `ensurePartitions` creates, for each
 * range-partitioned table of the database (read from the catalog), the months from the current one to `ahead`
 * months on that do not exist yet — moving the rows DEFAULT already holds for such a month into it, in one
 * transaction per month under an exclusive lock on the table, so that writers wait a moment and none is lost.
 */
import { InvalidInputError } from '../errors.js';
import type { Connection, Statement } from '../runtime/connection.js';
import { quoteIdentifier as quote } from '../runtime/pgvector/quote-identifier.js';
import { describe } from '../runtime/validate.js';
import { monthText, partitionName } from '../schema/partition-name.js';

export interface EnsurePartitionsOptions {
  /** Months after the current one to have partitions for (default 3, at most 120). */
  ahead?: number | undefined;
  /** Lists what would be created, and changes nothing. */
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

interface PartitionedTable {
  table: string;
  column: string;
  defaultPartition: string | null;
  partitions: Set<string>;
}

/** A month's first instant, in UTC: digits only, made here, never from input, so it can stand as a literal. */
const monthStart = (index: number) => `${monthText(index)}-01 00:00:00+00`;
const bound = (index: number) => `'${monthStart(index)}'`;

export async function ensurePartitions(connection: Pick<Connection<never>, 'execute'>, options: EnsurePartitionsOptions = {}): Promise<CreatedPartition[]> {
  const ahead = options.ahead ?? 3;
  const now = options.now ?? new Date();
  if (!Number.isInteger(ahead) || ahead < 0 || ahead > 120) {
    throw new InvalidInputError('partitions.ensure', [{ code: 'INVALID_INPUT', path: ['ahead'], message: `ahead must be an integer from 0 to 120, got ${describe(ahead)}` }]);
  }
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new InvalidInputError('partitions.ensure', [{ code: 'INVALID_INPUT', path: ['now'], message: `expected a valid Date, got ${describe(now)}` }]);
  const first = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const created: CreatedPartition[] = [];
  for (const table of await partitionedTables(connection)) {
    for (let index = first; index <= first + ahead; index++) {
      const partition = partitionName(table.table, monthText(index));
      if (table.partitions.has(partition)) continue;
      const entry = { table: table.table, partition, from: monthStart(index), to: monthStart(index + 1), movedRows: 0 };
      if (!options.dryRun) entry.movedRows = await createMonth(connection, table, partition, index);
      created.push(entry);
    }
  }
  return created;
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
    const entry = tables.get(table) ?? { table, column, defaultPartition: null, partitions: new Set<string>() };
    tables.set(table, entry);
    if (child && partitionBound === 'DEFAULT') entry.defaultPartition = child;
    else if (child) entry.partitions.add(child);
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
  const statements: Statement[] = [{ sql: `lock table ${parent} in access exclusive mode`, params: [] }];
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
