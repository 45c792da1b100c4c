/**
 * drizzle/'s migrations against what a database has applied, as drizzle-orm's migrator decides it: a migration
 * is pending when its journal time is after the last one recorded in `drizzle.__drizzle_migrations`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import type { Connection } from './connection.js';
import { PolystoreError } from '../../errors.js';

export interface MigrationState {
  tag: string;
  /** sha256 of the file, as the migrator records it. */
  hash: string;
  /**
   * `changed`: applied, but the file is no longer what was applied (its hash differs); `unknown`: applied, with no
   * file in drizzle/ (the database is ahead of this code): its tag is then `(unknown)`.
   */
  state: 'applied' | 'pending' | 'changed' | 'unknown';
  /** The statements the migrator runs, in order. */
  statements: string[];
  /** Its journal time, which the migrator records as `created_at`. */
  when: number;
}

const BREAKPOINT = '--> statement-breakpoint';

/** A migration file's statements, as the migrator splits them. */
export const splitStatements = (text: string) => text.split(BREAKPOINT).map((statement) => statement.trim()).filter(Boolean);

/** Runs one statement without parameters, returning its rows as arrays. */
export type RawQuery = (sql: string) => Promise<unknown[][]>;

export const rawQuery = (connection: Pick<Connection<never>, 'execute'>): RawQuery => async (sql) => (await connection.execute([{ sql, params: [] }]))[0];

/** drizzle-orm's read of the journal's SQL files; one missing (drizzle/ copied in part) is GENERATED_NOT_FOUND. */
function readFiles(folder: string) {
  try {
    return readMigrationFiles({ migrationsFolder: folder });
  } catch (error) {
    throw new PolystoreError('GENERATED_NOT_FOUND', `the migrations at ${folder} are incomplete: ${(error as Error).message}. Copy the whole drizzle/ folder as generated (its SQL files, meta/ and down/)`, { cause: error });
  }
}

export async function migrationStates(folder: string, query: RawQuery): Promise<MigrationState[]> {
  const journalPath = join(folder, 'meta', '_journal.json');
  if (!existsSync(journalPath)) {
    throw new PolystoreError(
      'GENERATED_NOT_FOUND',
      `no migrations at ${folder} (${join('meta', '_journal.json')} not found). They are looked for in drizzle/ beside the generated facade's folder, or in createPolystore({ migrationsFolder }); a build that compiles generated/ elsewhere (tsc's outDir, a bundle) does not copy drizzle/: copy it beside the output, or name it in migrationsFolder. A project never generated: run \`polystore generate\``,
    );
  }
  const tags = (JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> }).entries.map((entry) => entry.tag);
  const files = readFiles(folder);
  const [[exists]] = await query(`select to_regclass('drizzle.__drizzle_migrations') is not null`);
  const applied = exists ? await query('select hash, created_at::text from drizzle.__drizzle_migrations') : [];
  const hashAt = new Map(applied.map(([hash, createdAt]) => [Number(createdAt), hash as string]));
  const last = Math.max(-Infinity, ...hashAt.keys());
  const known = files.map((file, index): MigrationState => ({
    tag: tags[index],
    hash: file.hash,
    state: file.folderMillis > last ? 'pending' : hashAt.has(file.folderMillis) && hashAt.get(file.folderMillis) !== file.hash ? 'changed' : 'applied',
    statements: splitStatements(file.sql.join(BREAKPOINT)),
    when: file.folderMillis,
  }));
  const times = new Set(files.map((file) => file.folderMillis));
  const unknown = [...hashAt].filter(([when]) => !times.has(when)).map(([when, hash]): MigrationState => ({ tag: '(unknown)', hash, state: 'unknown', statements: [], when }));
  return [...known, ...unknown].sort((a, b) => a.when - b.when);
}
