/**
 * Drizzle's migrator, with what it applies known before and its failure explained after: it runs every pending
 * migration in one transaction, and a statement that fails rolls them all back. Its own error (DrizzleQueryError:
 * the statement and its parameters, PostgreSQL's words only in `cause`) becomes MIGRATION_FAILED naming the
 * migration, the statement and those words, or DATABASE_ERROR for a statement of the migrator's own.
 */
import { DrizzleQueryError, type Logger } from 'drizzle-orm';
import { type MigrationState, migrationStates, type RawQuery } from './migration-journal.js';
import { PolystoreError } from '../../errors.js';

/** The migrator's record of a migration it applied, which it writes after the migration's last statement. */
const RECORD = /^insert into "drizzle"\."__drizzle_migrations"/;
/** Enough of a statement to find it in its file, on one line. */
const STATEMENT_CHARS = 200;

/** Runs `migrate` (the migrator, on a drizzle instance given `logger`); resolves to the tags it applied. */
export async function applyMigrations(folder: string, query: RawQuery, migrate: (logger: Logger) => Promise<void>): Promise<string[]> {
  const pending = (await migrationStates(folder, query)).filter((migration) => migration.state === 'pending');
  let recorded = 0;
  try {
    await migrate({ logQuery: (sql) => void (RECORD.test(sql) && recorded++) });
  } catch (error) {
    throw error instanceof DrizzleQueryError ? explain(error, pending[recorded]) : error;
  }
  return pending.map((migration) => migration.tag);
}

function explain(error: DrizzleQueryError, migration: MigrationState | undefined): PolystoreError {
  const cause = error.cause as { message?: string; code?: string } | undefined;
  const words = `${cause?.message ?? error.message}${cause?.code ? ` (SQLSTATE ${cause.code})` : ''}`;
  const statement = error.query.trim();
  if (!migration?.statements.includes(statement)) return new PolystoreError('DATABASE_ERROR', `migrate: ${words}`, { cause: error });
  const line = statement.replace(/\s+/g, ' ');
  const shown = line.length > STATEMENT_CHARS ? `${line.slice(0, STATEMENT_CHARS)}…` : line;
  return new PolystoreError('MIGRATION_FAILED', `migration ${migration.tag} failed, nothing was applied: ${words}, in statement ${migration.statements.indexOf(statement) + 1} of its ${migration.statements.length}: ${shown}`, { cause: error });
}
