/**
 * Monthly partitions kept ahead of time. The first migration creates the months its schema names and a DEFAULT
 * partition; without more, every row written after them lands in DEFAULT. `ensurePartitions` creates, for each
 * range-partitioned table of the database (read from the catalog), the months from the current one to `ahead`
 * months on that do not exist yet — moving the rows DEFAULT already holds for such a month into it, in one
 * transaction per month under an exclusive lock on the table, so that writers wait a moment and none is lost.
 * With `retain`, the months that ended more than `retain` months before the current one are detached (or, with
 * `drop`, dropped). Each transaction holds the migrations' advisory lock: ensure and migrate never interleave.
 */
import { CANCELLABLE, checkOperationOptions, isBoolean } from '../runtime/checks/check-operation-options.js';
import { NothingToDo, runLocked } from './locked-ddl.js';
import { PolystoreError } from '../errors.js';
import { abortable, stepCancel } from '../runtime/abortable.js';
import type { WriteCancel } from '../runtime/contract/write-cancel.js';
import { between } from '../runtime/checks/check-options.js';
import { describe } from '../runtime/checks/validate.js';
import { quoteIdentifier as quote } from '../runtime/pgvector/quote-identifier.js';
import type { Connection, Statement } from '../runtime/postgres/connection.js';
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
  /**
   * Gives the call up when it aborts: it rejects with ABORTED at once, the partition being made then is rolled back
   * (its statement cancelled on the server), and those made before stay: each is made in a transaction of its own.
   */
  signal?: AbortSignal | undefined;
  /** Aborts the call after this many milliseconds, as a signal would. */
  timeoutMs?: number | undefined;
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

/** PostgreSQL's NAMEDATALEN - 1. */
const MAX_IDENTIFIER_BYTES = 63;

export async function ensurePartitions(connection: Pick<Connection<never>, 'execute'>, options?: EnsurePartitionsOptions): Promise<PartitionsReport> {
  const { ahead, retain, now } = checkEnsureOptions(options);
  return abortable('partitions.ensure', options, (signal) => ensureMonths(connection, { ...options, ahead, retain, now }, stepCancel(signal)), PARTIAL_OUTCOME);
}

const PARTIAL_OUTCOME = '; the partition being made then was rolled back, those made before stay: run it again to finish';

async function ensureMonths(connection: Pick<Connection<never>, 'execute'>, options: EnsurePartitionsOptions & { ahead: number; now: Date }, cancel: WriteCancel | undefined): Promise<PartitionsReport> {
  const { ahead, retain, now } = options;
  const first = now.getUTCFullYear() * 12 + now.getUTCMonth();
  const tables = await partitionedTables(connection, cancel);
  const months = Array.from({ length: ahead + 1 }, (_, i) => first + i);
  // PostgreSQL cuts names at 63 bytes: two months would then share one name.
  const tooLong = tables.filter((table) => Buffer.byteLength(partitionName(table.table, monthText(first))) > MAX_IDENTIFIER_BYTES).map((table) => `"${table.table}"`);
  if (tooLong.length > 0) throw new PolystoreError('PARTITION_NAME_TOO_LONG', `the monthly partitions of ${tooLong.join(', ')} would have names over ${MAX_IDENTIFIER_BYTES} bytes; nothing was changed`);
  const report: PartitionsReport = { created: [], retired: [] };
  for (const table of tables) {
    for (const index of months) {
      const partition = partitionName(table.table, monthText(index));
      if (table.partitions.has(partition)) continue;
      const entry = { table: table.table, partition, from: monthStart(index), to: monthStart(index + 1), movedRows: 0 };
      if (options?.dryRun) report.created.push(entry);
      else {
        const moved = await createMonth(connection, table, partition, index, cancel);
        if (moved !== undefined) report.created.push({ ...entry, movedRows: moved });
      }
    }
    if (retain !== undefined) report.retired.push(...(await retire(connection, table, monthStart(first - retain), options.drop === true, options.dryRun === true, cancel)));
  }
  return report;
}

function checkEnsureOptions(options: EnsurePartitionsOptions | undefined) {
  const year = (value: unknown) => (value instanceof Date ? value.getUTCFullYear() : Number.NaN);
  checkOperationOptions(
    'partitions.ensure',
    options,
    {
      ahead: between(0, 120, true),
      retain: between(1, 1200, true),
      drop: isBoolean,
      dryRun: isBoolean,
      // Partition names and bounds have four-digit years.
      now: (value) => (year(value) >= 1000 && year(value) <= 9000 ? undefined : `expected a valid Date from the years 1000 to 9000, got ${describe(value)}`),
      ...CANCELLABLE,
    },
    (given, issues) => {
      if (given.drop === true && given.retain === undefined) issues.add('INVALID_INPUT', ['drop'], 'drop needs retain: the months to keep');
    },
  );
  const { ahead = 3, retain, now = new Date() } = options ?? {};
  return { ahead, retain, now };
}

/** The range-partitioned tables on one timestamp column, their partitions and their DEFAULT partition. */
async function partitionedTables(connection: Pick<Connection<never>, 'execute'>, cancel: WriteCancel | undefined): Promise<PartitionedTable[]> {
  // Reading the partition bounds (pg_get_expr) waits behind a lock on the table too.
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
  ], undefined, cancel);
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
 * table, column by column by name (a DEFAULT attached from another table may order them differently). PostgreSQL
 * refuses a partition whose range overlaps rows in DEFAULT, hence the move. Undefined when another process
 * made the partition first.
 */
async function createMonth(connection: Pick<Connection<never>, 'execute'>, table: PartitionedTable, partition: string, index: number, cancel: WriteCancel | undefined): Promise<number | undefined> {
  const [parent, column, range] = [quote(table.table), quote(table.column), `>= ${bound(index)} and ${quote(table.column)} < ${bound(index + 1)}`];
  const [columnRows] = await connection.execute(
    [{ sql: "select attname from pg_attribute where attrelid = $1::regclass and attnum > 0 and not attisdropped and attgenerated = '' order by attnum", params: [parent] }],
    undefined,
    cancel,
  );
  const columns = (columnRows as Array<[string]>).map(([name]) => quote(name)).join(', ');
  const statements: Statement[] = [
    { sql: `lock table ${parent} in access exclusive mode`, params: [] },
    { sql: PARTITION_STATE, params: [partition, parent] },
  ];
  if (table.defaultPartition) {
    const fallback = quote(table.defaultPartition);
    statements.push(
      { sql: `create temp table polystore_moving on commit drop as select ${columns} from ${fallback} where ${column} ${range}`, params: [] },
      { sql: `delete from ${fallback} where ${column} ${range}`, params: [] },
    );
  }
  statements.push({ sql: `create table ${quote(partition)} partition of ${parent} for values from (${bound(index)}) to (${bound(index + 1)})`, params: [] });
  if (table.defaultPartition) {
    statements.push({ sql: `with moved as (insert into ${parent} (${columns}) overriding system value select ${columns} from polystore_moving returning 1) select count(*) from moved`, params: [] });
  }
  const check = (rows: unknown[][], i: number) => {
    if (i !== 1) return;
    const [[attached, exists]] = rows as Array<[boolean, boolean]>;
    if (attached) throw new NothingToDo();
    if (exists) throw new PolystoreError('PARTITION_NAME_TAKEN', `a table "${partition}" exists but is not a partition of "${table.table}" (detached earlier?): attach, rename or drop it; nothing was changed`);
  };
  const results = await runLocked(connection, `partitions ensure ${partition}`, statements, check, cancel);
  if (!results) return undefined;
  return table.defaultPartition ? Number(results.at(-1)![0][0]) : 0;
}

/** Whether the partition $1 is attached to $2 (a quoted name), and whether a table of that name exists in the schema. */
const PARTITION_STATE = `select exists (select 1 from pg_inherits i join pg_class c on c.oid = i.inhrelid join pg_namespace n on n.oid = c.relnamespace
                                         where i.inhparent = $2::regclass and c.relname = $1 and n.nspname = current_schema()),
                               exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relname = $1 and n.nspname = current_schema())`;

/**
 * The partitions of `table` whose range ends on or before `cutoff`, detached or dropped each in a transaction of
 * its own, with the number of rows each holds. The database compares the bounds, as timestamps. One that another
 * process retired meanwhile is left out.
 */
async function retire(connection: Pick<Connection<never>, 'execute'>, table: PartitionedTable, cutoff: string, drop: boolean, dryRun: boolean, cancel: WriteCancel | undefined): Promise<RetiredPartition[]> {
  const ended = [...table.partitions].filter((entry): entry is [string, string] => entry[1] !== null);
  if (ended.length === 0) return [];
  const [old] = await connection.execute([
    { sql: 'select name from unnest($1::text[], $2::text[]) as bound(name, upper) where upper::timestamptz <= $3::timestamptz order by upper::timestamptz', params: [ended.map(([name]) => name), ended.map(([, upper]) => upper), cutoff] },
  ]);
  const retired: RetiredPartition[] = [];
  for (const [partition] of old as Array<[string]>) {
    const count = { sql: `select count(*) from ${quote(partition)}`, params: [] };
    const entry = { table: table.table, partition, to: table.partitions.get(partition)!, action: drop ? 'dropped' : 'detached' } as const;
    if (dryRun) {
      retired.push({ ...entry, rows: Number((await connection.execute([count]))[0][0][0]) });
      continue;
    }
    const statements = [
      { sql: `lock table ${quote(table.table)} in access exclusive mode`, params: [] },
      { sql: PARTITION_STATE, params: [partition, quote(table.table)] },
      count,
      { sql: drop ? `drop table ${quote(partition)}` : `alter table ${quote(table.table)} detach partition ${quote(partition)}`, params: [] },
    ];
    const check = (rows: unknown[][], i: number) => {
      if (i === 1 && !rows[0][0]) throw new NothingToDo();
    };
    const results = await runLocked(connection, `partitions ensure: retire ${partition}`, statements, check, cancel);
    if (results) retired.push({ ...entry, rows: Number(results[2][0][0]) });
  }
  return retired;
}
