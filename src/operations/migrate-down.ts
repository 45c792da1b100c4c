/**
 * `polystore migrate down --to <tag>` / `db.migrateDown()`: the applied migrations after `tag` reversed, newest
 * first, by the `down/<tag>.sql` files `polystore generate` writes beside them. Everything runs in one transaction
 * under the migrations' advisory lock: all reversed, or none. The tables a reversal drops, or drops columns of,
 * are locked and counted first; any with rows refuses the whole reversal unless `force`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError, PolystoreError } from '../errors.js';
import type { Connection, Statement } from '../runtime/connection.js';
import { MIGRATION_LOCK } from '../runtime/migrate-locked.js';
import { type MigrationState, migrationStates, rawQuery, splitStatements } from '../runtime/migration-journal.js';
import { quoteIdentifier as quote } from '../runtime/pgvector/quote-identifier.js';
import { describe } from '../runtime/validate.js';

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

type Target = { table: string; column?: string };

const DROP_TABLE = /^DROP TABLE (?:IF EXISTS )?"(\w+)"/;
const DROP_COLUMN = /^ALTER TABLE "(\w+)" DROP COLUMN (?:IF EXISTS )?"(\w+)"/;

export async function migrateDown(connection: Pick<Connection<never>, 'execute'>, folder: string, options: MigrateDownOptions): Promise<MigrateDownResult> {
  const states = await migrationStates(folder, rawQuery(connection));
  const plan = planReversal(states, folder, options);
  const targets = await existing(connection, plan.statements);
  const counts = targets.map(({ table, column }) => ({ sql: `select count(${column ? quote(column) : '*'}) from ${quote(table)}`, params: [] }));
  if (options.dryRun) {
    const rows = targets.length > 0 ? await connection.execute(counts) : [];
    return { reversed: plan.reversed.map((m) => m.tag), drops: targets.map((target, i) => ({ ...target, rows: Number(rows[i][0][0]) })), statements: plan.statements };
  }
  const drops: DroppedData[] = [];
  const head: Statement[] = [
    { sql: `select pg_advisory_xact_lock(${MIGRATION_LOCK})`, params: [] },
    { sql: 'select count(*) from drizzle.__drizzle_migrations where created_at > $1', params: [plan.target.when] },
    ...(targets.length > 0 ? [{ sql: `lock table ${[...new Set(targets.map((t) => quote(t.table)))].join(', ')} in access exclusive mode`, params: [] }] : []),
  ];
  const check = (rows: unknown[][], index: number) => {
    // Under the lock, the database must still be where the plan started: another process may have migrated since.
    if (index === 1 && Number(rows[0][0]) !== plan.reversed.length) throw new PolystoreError('MIGRATION_CONFLICT', 'the applied migrations changed while planning the reversal (another process migrated): run it again');
    const count = index - head.length;
    if (count < 0 || count >= targets.length) return;
    drops.push({ ...targets[count], rows: Number(rows[0][0]) });
    if (count === targets.length - 1 && !options.force) refuseDataLoss(drops);
  };
  await connection.execute(
    [
      ...head,
      ...counts,
      ...plan.statements.map((sql) => ({ sql, params: [] })),
      { sql: 'delete from drizzle.__drizzle_migrations where created_at > $1', params: [plan.target.when] },
    ],
    check,
  );
  return { reversed: plan.reversed.map((m) => m.tag), drops, statements: plan.statements };
}

function planReversal(states: MigrationState[], folder: string, options: MigrateDownOptions) {
  const to = options?.to;
  const fail = (message: string) => new InvalidInputError('migrateDown', [{ code: 'INVALID_INPUT', path: ['to'], message }]);
  if (typeof to !== 'string' || to.length === 0) throw fail(`expected the tag of a migration, got ${describe(to)}`);
  const index = states.findIndex((migration) => migration.tag === to);
  if (index < 0) throw fail(`no migration "${to}" in ${folder} (have ${states.map((m) => m.tag).join(', ') || 'none'})`);
  const target = states[index];
  if (target.state === 'pending') throw fail(`"${to}" is not applied: there is nothing after it to reverse`);
  const reversed = states.slice(index + 1).filter((migration) => migration.state !== 'pending').reverse();
  const statements = reversed.flatMap((migration) => {
    const path = join(folder, 'down', `${migration.tag}.sql`);
    if (!existsSync(path)) throw new PolystoreError('MIGRATION_IRREVERSIBLE', `${migration.tag} has no reversal (${path} is missing: run \`polystore generate\`, which says why when it cannot write one)`);
    return splitStatements(readFileSync(path, 'utf8'));
  });
  return { target, reversed, statements };
}

/** The tables and columns the statements drop that exist now: those whose rows a reversal would lose. */
async function existing(connection: Pick<Connection<never>, 'execute'>, statements: string[]): Promise<Target[]> {
  const targets = statements.flatMap((sql): Target[] => {
    const table = DROP_TABLE.exec(sql);
    const column = DROP_COLUMN.exec(sql);
    return table ? [{ table: table[1] }] : column ? [{ table: column[1], column: column[2] }] : [];
  });
  if (targets.length === 0) return [];
  const [rows] = await connection.execute([
    {
      sql: `select t.name, t.col from unnest($1::text[], $2::text[]) with ordinality as t(name, col, n)
             where to_regclass(quote_ident(t.name)) is not null
               and (t.col = '' or exists (select 1 from pg_attribute a where a.attrelid = to_regclass(quote_ident(t.name)) and a.attname = t.col and not a.attisdropped))
             order by t.n`,
      params: [targets.map((t) => t.table), targets.map((t) => t.column ?? '')],
    },
  ]);
  return (rows as Array<[string, string]>).map(([table, column]) => (column ? { table, column } : { table }));
}

function refuseDataLoss(drops: DroppedData[]): void {
  const losing = drops.filter((drop) => drop.rows > 0);
  if (losing.length === 0) return;
  const listed = losing.map((drop) => (drop.column ? `column "${drop.table}"."${drop.column}" (${drop.rows} non-null values)` : `table "${drop.table}" (${drop.rows} rows)`));
  throw new PolystoreError('MIGRATION_DATA_LOSS', `the reversal would drop ${listed.join(', ')}; nothing was changed. Pass force (--force) to drop them.`);
}
