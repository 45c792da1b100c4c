/**
 * Drizzle's migrator, with what it applies known before and its failure explained after: it runs every pending
 * migration in one transaction, and a statement that fails rolls them all back. Its own error (DrizzleQueryError:
 * the statement and its parameters, PostgreSQL's words only in `cause`) becomes MIGRATION_FAILED naming the
 * migration, the statement and those words, or DATABASE_ERROR for a statement of the migrator's own or ours.
 */
import { DrizzleQueryError, type Logger } from 'drizzle-orm';
import { type MigrationState, migrationStates, type RawQuery } from './migration-journal.js';
import { oneLine, PolystoreError } from '../../errors.js';

/** The migrator's record of a migration it applied, which it writes after the migration's last statement. */
const RECORD = /^insert into "drizzle"\."__drizzle_migrations"/;
/** The migrator's last statement of its own before the migrations' (which it logs, then each migration's statements). */
const LAST_APPLIED = /^select id, hash, created_at from "drizzle"\."__drizzle_migrations"/;
/** Enough of a statement to find it in its file, on one line. */
const STATEMENT_CHARS = 200;

/** PostgreSQL's words in `error` (or its cause), on one line, with the SQLSTATE. */
export function serverWords(error: unknown): string {
  const { message, code, cause } = error as { message?: string; code?: string; cause?: { message?: string; code?: string } };
  const sqlState = cause?.code ?? code;
  return `${oneLine(cause?.message ?? message ?? String(error))}${sqlState ? ` (SQLSTATE ${sqlState})` : ''}`;
}

/** A statement of ours that PostgreSQL refused, as DATABASE_ERROR; anything else (a connection lost) as it is. */
export function databaseError(error: unknown): unknown {
  if (error instanceof PolystoreError || typeof (error as { severity?: unknown })?.severity !== 'string') return error;
  return new PolystoreError('DATABASE_ERROR', `migrate: ${serverWords(error)}`, { cause: error });
}

/** Runs `migrate` (the migrator, on a drizzle instance given `logger`); resolves to the tags it applied. */
export async function applyMigrations(folder: string, query: RawQuery, migrate: (logger: Logger) => Promise<void>): Promise<string[]> {
  const pending = (await migrationStates(folder, query).catch((error: unknown) => Promise.reject(databaseError(error)))).filter((migration) => migration.state === 'pending');
  // Which migration runs, and how many of its statements ran: the same text may come twice in one migration.
  let recorded = 0;
  let executed = 0;
  const logQuery = (sql: string) => {
    if (RECORD.test(sql)) [recorded, executed] = [recorded + 1, 0];
    else if (LAST_APPLIED.test(sql)) executed = 0;
    // The migrator runs an empty chunk of a file too, which migrationStates leaves out.
    else if (sql.trim()) executed++;
  };
  try {
    await migrate({ logQuery });
  } catch (error) {
    throw error instanceof DrizzleQueryError ? explain(error, pending[recorded], executed) : databaseError(error);
  }
  return pending.map((migration) => migration.tag);
}

/** `executed`: the migration's statements logged, the failed one included. */
function explain(error: DrizzleQueryError, migration: MigrationState | undefined, executed: number): PolystoreError {
  const words = serverWords(error);
  const statement = error.query.trim();
  if (migration?.statements[executed - 1] !== statement) return new PolystoreError('DATABASE_ERROR', `migrate: ${words}`, { cause: error });
  const line = oneLine(statement);
  const shown = line.length > STATEMENT_CHARS ? `${line.slice(0, STATEMENT_CHARS)}…` : line;
  return new PolystoreError('MIGRATION_FAILED', `migration ${migration.tag} failed, nothing was applied: ${words}, in statement ${executed} of its ${migration.statements.length}: ${shown}`, { cause: error });
}
