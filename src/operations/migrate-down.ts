/**
 * `polystore migrate down --to <tag>` / `db.migrateDown()`: the applied migrations after `tag` reversed, newest
 * first, by the `down/<tag>.sql` files `polystore generate` writes beside them, in one transaction under the
 * migrations' advisory lock: all reversed, or none. What a reversal drops is not read from its SQL (which may be
 * edited by hand) but seen: the reversal runs once in a transaction that is rolled back, and the tables and columns
 * it made disappear are compared. Then, for real, those are locked and counted first: any holding rows refuses the
 * whole reversal unless `force`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, PolystoreError } from '../errors.js';
import type { Connection, Statement } from '../runtime/connection.js';
import { type MigrationState, migrationStates, rawQuery, splitStatements } from '../runtime/migration-journal.js';
import { quoteIdentifier as quote } from '../runtime/pgvector/quote-identifier.js';
import { describe } from '../runtime/validate.js';
import { text } from '../runtime/check-options.js';
import { checkOperationOptions, isBoolean } from './check-operation-options.js';
import { NothingToDo, runLocked } from './locked-ddl.js';

export interface MigrateDownOptions {
  /** The tag of the migration to go back to: it stays applied, every applied one after it is reversed. */
  to: string;
  /** Reverses even when a dropped table or column holds rows (they are lost). */
  force?: boolean | undefined;
  /** Counts and lists, changes nothing. */
  dryRun?: boolean | undefined;
}

/** A table, or a column of one, that the reversal drops, with the rows (non-null values) it holds. */
export interface DroppedData {
  table: string;
  column?: string;
  rows: number;
}

export interface MigrateDownResult {
  /** Tags reversed (in a dry run: that would be), newest first. */
  reversed: string[];
  drops: DroppedData[];
  /** The SQL run (or that would run), in order. */
  statements: string[];
}

type Dropped = { table: string; column?: string };

/**
 * Every column of every plain table (partitions included) of the schema: what a reversal can make disappear.
 * Generated columns (keyword search's tsvector) hold nothing of their own: PostgreSQL computes them again.
 */
const CATALOG: Statement = {
  sql: `select c.relname, a.attname from pg_class c
          join pg_namespace n on n.oid = c.relnamespace and n.nspname = current_schema()
          join pg_attribute a on a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = ''
         where c.relkind = 'r'`,
  params: [],
};

export async function migrateDown(connection: Pick<Connection<never>, 'execute'>, folder: string, options: MigrateDownOptions): Promise<MigrateDownResult> {
  checkOperationOptions('migrateDown', options, { to: text, force: isBoolean, dryRun: isBoolean });
  const plan = planReversal(await migrationStates(folder, rawQuery(connection)), folder, options?.to);
  const reversed = plan.reversed.map((migration) => migration.tag);
  if (plan.statements.length === 0) return { reversed, drops: [], statements: [] };
  const downs = plan.statements.map((sql) => ({ sql, params: [] }));
  const dropped = await rehearse(connection, downs);
  const counts = dropped.map(({ table, column }) => ({ sql: `select count(${column ? quote(column) : '*'}) from ${quote(table)}`, params: [] }));
  if (options.dryRun) {
    const rows = counts.length > 0 ? await connection.execute(counts) : [];
    return { reversed, drops: dropped.map((target, i) => ({ ...target, rows: Number(rows[i][0][0]) })), statements: plan.statements };
  }
  const head: Statement[] = [
    { sql: 'select count(*) from drizzle.__drizzle_migrations where created_at > $1', params: [plan.target.when] },
    ...(dropped.length > 0 ? [{ sql: `lock table ${[...new Set(dropped.map((d) => quote(d.table)))].join(', ')} in access exclusive mode`, params: [] }] : []),
    CATALOG,
  ];
  const afterIndex = head.length + counts.length + downs.length;
  let drops: DroppedData[] = [];
  let catalogBefore: unknown[][] = [];
  const check = (rows: unknown[][], index: number) => {
    if (index === head.length - 1) catalogBefore = rows;
    // Under the lock, the database must still be where the plan started: another process may have migrated since.
    if (index === 0 && Number(rows[0][0]) !== plan.reversed.length) throw conflict();
    const count = index - head.length;
    if (count >= 0 && count < counts.length) {
      drops.push({ ...dropped[count], rows: Number(rows[0][0]) });
      if (count === counts.length - 1 && !options.force) refuseDataLoss(drops);
    }
    if (index === afterIndex && !sameDrops(disappeared(catalogBefore, rows), dropped)) throw conflict();
  };
  await runLocked(connection, 'migrate down', [...head, ...counts, ...downs, CATALOG, { sql: 'delete from drizzle.__drizzle_migrations where created_at > $1', params: [plan.target.when] }], (rows, index) => {
    if (index === 0) drops = [];
    check(rows, index);
  });
  return { reversed, drops, statements: plan.statements };
}

function planReversal(states: MigrationState[], folder: string, to: string) {
  const fail = (message: string) => new InvalidInputError('migrateDown', [{ code: 'INVALID_INPUT', path: ['to'], message }]);
  if (typeof to !== 'string' || to.length === 0) throw fail(`expected the tag of a migration, got ${describe(to)}`);
  const index = states.findIndex((migration) => migration.tag === to && migration.state !== 'unknown');
  const known = states.filter((migration) => migration.state !== 'unknown').map((m) => m.tag);
  if (index < 0) throw fail(`no migration "${to}" in ${folder} (have ${known.join(', ') || 'none'})`);
  const target = states[index];
  if (target.state === 'pending') throw fail(`"${to}" is not applied: there is nothing after it to reverse`);
  const reversed = states.slice(index + 1).filter((migration) => migration.state !== 'pending').reverse();
  const unknown = reversed.filter((migration) => migration.state === 'unknown');
  if (unknown.length > 0) {
    throw new PolystoreError('MIGRATION_UNKNOWN', `the database has ${unknown.length} applied migration(s) after "${to}" that ${folder} does not have (sha256 ${unknown.map((m) => m.hash.slice(0, 12)).join(', ')}): the database is ahead of this code; reverse them with the code that has them`);
  }
  const statements = reversed.flatMap((migration) => {
    const path = join(folder, 'down', `${migration.tag}.sql`);
    if (!existsSync(path)) throw new PolystoreError('MIGRATION_IRREVERSIBLE', `${migration.tag} has no reversal (${path} is missing: run \`polystore generate\`, which says why when it cannot write one)`);
    return splitStatements(readFileSync(path, 'utf8'));
  });
  return { target, reversed, statements };
}

/** Runs the reversal in a transaction that is rolled back, and returns the tables and columns it made disappear. */
async function rehearse(connection: Pick<Connection<never>, 'execute'>, downs: Statement[]): Promise<Dropped[]> {
  let before: unknown[][] = [];
  let result: Dropped[] = [];
  await runLocked(connection, 'migrate down', [CATALOG, ...downs, CATALOG], (rows, index) => {
    if (index === 0) before = rows;
    if (index !== downs.length + 1) return;
    result = disappeared(before, rows);
    throw new NothingToDo();
  });
  return result;
}

/** Tables gone from the catalog, and columns gone from tables still there. */
function disappeared(before: unknown[][], after: unknown[][]): Dropped[] {
  const tablesAfter = new Set(after.map(([table]) => table as string));
  const columnsAfter = new Set(after.map(([table, column]) => `${table}\0${column}`));
  const tables = [...new Set(before.map(([table]) => table as string))].filter((table) => !tablesAfter.has(table)).sort();
  const columns = before.filter(([table, column]) => tablesAfter.has(table as string) && !columnsAfter.has(`${table}\0${column}`)).map(([table, column]) => ({ table: table as string, column: column as string }));
  columns.sort((a, b) => (`${a.table}.${a.column}` < `${b.table}.${b.column}` ? -1 : 1));
  return [...tables.map((table) => ({ table })), ...columns];
}

const sameDrops = (a: Dropped[], b: Dropped[]) => JSON.stringify(a) === JSON.stringify(b);

const conflict = () => new PolystoreError('MIGRATION_CONFLICT', 'the database changed while planning the reversal (another process migrated or changed the tables): nothing was changed; run it again');

function refuseDataLoss(drops: DroppedData[]): void {
  const losing = drops.filter((drop) => drop.rows > 0);
  if (losing.length === 0) return;
  const listed = losing.map((drop) => (drop.column ? `column "${drop.table}"."${drop.column}" (${drop.rows} non-null values)` : `table "${drop.table}" (${drop.rows} rows)`));
  throw new PolystoreError('MIGRATION_DATA_LOSS', `the reversal would drop ${listed.join(', ')}; nothing was changed. Pass force (--force) to drop them.`);
}
