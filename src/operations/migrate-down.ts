/**
 * `polystore migrate down --to <tag>` / `db.migrateDown()`: the applied migrations after `tag` reversed, newest
 * first, by the `down/<tag>.sql` files `polystore generate` writes beside them, in one transaction under the
 * migrations' advisory lock: all reversed, or none. What a reversal loses is not read from its SQL (which may be
 * edited by hand) but seen: the reversal runs once in a transaction that is rolled back, which says the tables it
 * touches (reversal-losses.ts). Then, for real, those are locked and counted before and after it, in the same
 * transaction: any row or value lost refuses the whole reversal unless `force`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkOperationOptions, isBoolean } from '../runtime/checks/check-operation-options.js';
import { NothingToDo, runLocked } from './locked-ddl.js';
import { countsAfter, countsBefore, type DroppedData, type Fate, fates, IDENTITY, losses, WRITTEN } from './reversal-losses.js';
import { InvalidInputError, PolystoreError } from '../errors.js';
import { text } from '../runtime/checks/check-options.js';
import { describe } from '../runtime/checks/validate.js';
import type { Connection, Statement } from '../runtime/postgres/connection.js';
import { type MigrationState, migrationStates, rawQuery, splitStatements } from '../runtime/postgres/migration-journal.js';

export interface MigrateDownOptions {
  /** The tag of the migration to go back to: it stays applied, every applied one after it is reversed. */
  to: string;
  /** Reverses even when a dropped table or column holds rows (they are lost). */
  force?: boolean | undefined;
  /** Counts and lists, changes nothing. */
  dryRun?: boolean | undefined;
}

export type { DroppedData } from './reversal-losses.js';

export interface MigrateDownResult {
  /** Tags reversed (in a dry run: that would be), newest first. */
  reversed: string[];
  /** What the reversal drops or empties: each table it drops (with the rows it held) or that loses rows, each column that does. */
  drops: DroppedData[];
  /** The SQL run (or that would run), in order. */
  statements: string[];
}

export async function migrateDown(connection: Pick<Connection<never>, 'execute'>, folder: string, options: MigrateDownOptions): Promise<MigrateDownResult> {
  checkOperationOptions('migrateDown', options, { to: text, force: isBoolean, dryRun: isBoolean });
  const plan = planReversal(await migrationStates(folder, rawQuery(connection)), folder, options?.to);
  const reversed = plan.reversed.map((migration) => migration.tag);
  if (plan.statements.length === 0) return { reversed, drops: [], statements: [] };
  const downs = plan.statements.map((sql) => ({ sql, params: [] }));
  const touched = await rehearse(connection, downs);
  const before = countsBefore(touched);
  const after = countsAfter(touched);
  const head: Statement[] = [
    { sql: 'select count(*) from drizzle.__drizzle_migrations where created_at > $1', params: [plan.target.when] },
    ...(touched.length > 0 ? [{ sql: `lock table ${touched.map((fate) => fate.relation).join(', ')} in access exclusive mode`, params: [] }] : []),
    IDENTITY,
  ];
  const statements = [...head, ...before, ...downs, WRITTEN, IDENTITY, ...after, { sql: 'delete from drizzle.__drizzle_migrations where created_at > $1', params: [plan.target.when] }];
  const at = { identity: head.length - 1, written: head.length + before.length + downs.length, after: head.length + before.length + downs.length + 2 };
  let drops: DroppedData[] = [];
  const seen: unknown[][][] = [];
  await runLocked(connection, 'migrate down', statements, (rows, index) => {
    seen[index] = rows;
    // Under the lock, the database must still be where the plan started: another process may have migrated since.
    if (index === 0 && Number(rows[0][0]) !== plan.reversed.length) throw conflict();
    if (index === at.after - 1 && !sameFates(fates(seen[at.identity], seen[at.written], rows), touched)) throw conflict();
    if (index === at.after + after.length - 1) {
      drops = losses(touched, seen.slice(at.identity + 1, at.identity + 1 + before.length).map((counted) => counted[0]), seen.slice(at.after).map((counted) => counted[0]));
      if (!options.force && !options.dryRun) refuseDataLoss(drops);
    }
    if (options.dryRun && index === statements.length - 1) throw new NothingToDo();
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

/** Runs the reversal in a transaction that is rolled back, and returns what became of each table it touched. */
async function rehearse(connection: Pick<Connection<never>, 'execute'>, downs: Statement[]): Promise<Fate[]> {
  let before: unknown[][] = [];
  let written: unknown[][] = [];
  let result: Fate[] = [];
  await runLocked(connection, 'migrate down', [IDENTITY, ...downs, WRITTEN, IDENTITY], (rows, index) => {
    if (index === 0) before = rows;
    if (index === downs.length + 1) written = rows;
    if (index !== downs.length + 2) return;
    result = fates(before, written, rows);
    throw new NothingToDo();
  });
  return result;
}

const sameFates = (a: Fate[], b: Fate[]) => JSON.stringify(a) === JSON.stringify(b);

const conflict = () => new PolystoreError('MIGRATION_CONFLICT', 'the database changed while planning the reversal (another process migrated or changed the tables): nothing was changed; run it again');

function refuseDataLoss(drops: DroppedData[]): void {
  const losing = drops.filter((drop) => drop.rows > 0);
  if (losing.length === 0) return;
  const listed = losing.map((drop) => (drop.column ? `column "${drop.table}"."${drop.column}" (${drop.rows} non-null values)` : `table "${drop.table}" (${drop.rows} rows)`));
  throw new PolystoreError('MIGRATION_DATA_LOSS', `the reversal would drop ${listed.join(', ')}; nothing was changed. Pass force (--force) to drop them.`);
}
