/**
 * SQL migrations for drizzle/: drizzle-kit diffs the emitted drizzle/schema.ts
 * against the last snapshot; polystore adds what drizzle-kit cannot write
 * (the pgvector extension, PARTITION BY RANGE and the partitions) and saves
 * the result in drizzle-kit's own layout, so drizzle-kit and drizzle-orm's
 * migrator keep working on the folder. Past migrations are made again from
 * their snapshots, so that a hand edit to what the migrator applies shows.
 * Beside each, `down/<tag>.sql` reverses it: drizzle-kit's diff from its
 * snapshot back to the one before (`polystore migrate down`).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DrizzleSnapshotJSON, generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { createJiti } from 'jiti';
import type { SchemaIR, TableIR } from './ir.js';
import { sqlStringLiteral } from './emit/ts-literal.js';
import { monthText, partitionName } from '../src/schema/partition-name.js';

const BREAKPOINT = '\n--> statement-breakpoint\n';
const ORIGIN_ID = '00000000-0000-0000-0000-000000000000';
const EMPTY_JOURNAL: Journal = { version: '7', dialect: 'postgresql', entries: [] };

export interface Journal {
  version: string;
  dialect: 'postgresql';
  entries: Array<{ idx: number; version: string; when: number; tag: string; breakpoints: boolean }>;
}

/** The files polystore writes under drizzle/, keyed by path relative to it: the migrations so far and a new one when the schema changed. */
export type MigrationFiles = Map<string, string>;

export interface MigrationPlan {
  files: MigrationFiles;
  /** What the reversals cannot do: a migration with no `down/` file, or one whose reversal restores no rows. */
  notes: string[];
}

export interface MigrationOptions {
  /** Suffix of the new migration's tag (`0001_<name>`). */
  name?: string;
  /** Journal time of a new migration, in ms; SOURCE_DATE_EPOCH pins it for reproducible output. */
  now?: number;
}

export async function planMigration(ir: SchemaIR, drizzleSchemaSource: string, drizzleDir: string, options: MigrationOptions = {}): Promise<MigrationPlan> {
  const tables = [...ir.tables, ...ir.vectors.map((vector) => vector.table)];
  const files: MigrationFiles = new Map();
  const notes: string[] = [];
  /** Every statement of the migrations so far: where a reversal that creates a dropped table again finds its partitions. */
  const history: string[] = [];
  const addReversal = async (tag: string, before: DrizzleSnapshotJSON, after: DrizzleSnapshotJSON, up: string[]) => {
    const reversal = await reversalSql(tables, before, after, up, history);
    if (reversal.sql) files.set(`down/${tag}.sql`, reversal.sql);
    notes.push(...reversal.notes.map((note) => `${tag}: ${note}`));
    history.push(...up);
  };
  const entries: Journal['entries'] = [];
  const addEntry = (tag: string, version: string, when: number) =>
    entries.push({ idx: entries.length, version, when: Math.max(when, (entries.at(-1)?.when ?? 0) + 1), tag, breakpoints: true });
  let prev = emptySnapshot();
  for (const { tag, when } of readJournal(drizzleDir).entries) {
    const snapshot = JSON.parse(readFileSync(join(drizzleDir, 'meta', `${prefix(entries.length)}_snapshot.json`), 'utf8')) as DrizzleSnapshotJSON;
    const sqlPath = join(drizzleDir, `${tag}.sql`);
    const recorded = existsSync(sqlPath) ? readFileSync(sqlPath, 'utf8').replace(/\n$/, '').split(BREAKPOINT) : [];
    const again = asksAboutRenames(prev, snapshot) ? undefined : await migrationSql(tables, prev, snapshot, recorded);
    if (again) files.set(`${tag}.sql`, again);
    await addReversal(tag, prev, snapshot, recorded);
    addEntry(tag, snapshot.version, when);
    prev = snapshot;
  }

  const { id: _randomId, ...cur } = generateDrizzleJson(evaluateSchema(drizzleSchemaSource), prev.id);
  const snapshot = { ...cur, id: deterministicId(prev.id, cur) } as DrizzleSnapshotJSON;
  const sql = await migrationSql(tables, prev, snapshot);
  if (sql) {
    const idx = entries.length;
    const tag = `${prefix(idx)}_${options.name ?? (idx === 0 ? 'init' : 'update')}`;
    files.set(`${tag}.sql`, sql);
    await addReversal(tag, prev, snapshot, sql.split(BREAKPOINT));
    files.set(`meta/${prefix(idx)}_snapshot.json`, `${JSON.stringify({ ...snapshot, _meta: { columns: {}, schemas: {}, tables: {} } }, null, 2)}\n`);
    addEntry(tag, snapshot.version, options.now ?? Date.now());
  }
  // Written even empty (a schema of documents only): migrate and the migrator read it.
  files.set('meta/_journal.json', `${JSON.stringify({ ...EMPTY_JOURNAL, entries }, null, 2)}\n`);
  return { files, notes };
}

/**
 * The SQL that takes a database from `after` back to `before`: drizzle-kit's diff the other way. A migration that
 * renamed something gets none (drizzle-kit would ask which way), said in a note; so is a reversal that creates
 * again what the migration dropped, which comes back empty. The pgvector extension stays: other objects may use it.
 */
async function reversalSql(tables: TableIR[], before: DrizzleSnapshotJSON, after: DrizzleSnapshotJSON, up: string[], history: string[]): Promise<{ sql?: string; notes: string[] }> {
  if (asksAboutRenames(after, before)) return { notes: ['renames a table or column: no reversal is generated (polystore migrate down cannot go back past it)'] };
  const statements = await generateMigration(after, { ...before, id: ORIGIN_ID });
  const notes = up.some((statement) => /^(DROP TABLE|ALTER TABLE "\w+" DROP COLUMN) /m.test(statement)) ? ['drops data: its reversal creates the dropped tables or columns again, empty'] : [];
  for (const statement of statements) {
    const column = /^ALTER TABLE "(\w+)" ADD COLUMN "(\w+)" [^;]* NOT NULL(?![^;]* DEFAULT )/.exec(statement);
    if (column) notes.push(`its reversal adds "${column[1]}"."${column[2]}" NOT NULL without a default: migrate down fails while "${column[1]}" has rows`);
  }
  if (statements.length === 0) return { notes };
  return { sql: `${withPartitions(tables, generatedColumnsLast(statements), history).join(BREAKPOINT)}\n`, notes };
}

/** One migration's SQL, from the snapshot before it to the one after; undefined when nothing changed. */
async function migrationSql(tables: TableIR[], prev: DrizzleSnapshotJSON, cur: DrizzleSnapshotJSON, recorded: string[] = []): Promise<string | undefined> {
  const statements = guardedGenerationDrops(prev, cur, await generateMigration(prev, { ...cur, id: ORIGIN_ID }));
  if (statements.length === 0) return undefined;
  return `${[...extensionStatements(prev, cur), ...withPartitions(tables, generatedColumnsLast(statements), recorded)].join(BREAKPOINT)}\n`;
}

type SnapshotTables = Record<string, { columns: Record<string, { type: string }>; indexes: Record<string, { columns: Array<{ expression: string }> }> }>;

/**
 * The vector columns of embedding generations a migration drops (`--finalize` marked them): each drop refused by
 * a guard while the database still reads that generation, and `IF EXISTS`, since `--finalize` dropped it already
 * where it ran. Made from the snapshots alone, so that the migration is made again the same.
 */
function guardedGenerationDrops(prev: DrizzleSnapshotJSON, cur: DrizzleSnapshotJSON, statements: string[]): string[] {
  const [before, after] = [prev.tables, cur.tables] as SnapshotTables[];
  const dropped = Object.entries(before).flatMap(([key, table]) =>
    key in after
      ? Object.entries(table.columns)
          .filter(([column, { type }]) => /^embedding(_\d+)?$/.test(column) && /^(vector|halfvec)\(/.test(type) && !(column in after[key].columns))
          .map(([column]) => ({ table: key.replace(/^public\./, ''), column, indexes: Object.entries(table.indexes).filter(([, index]) => index.columns.some((part) => part.expression === column)).map(([name]) => name) }))
      : [],
  );
  if (dropped.length === 0) return statements;
  const guards = dropped.map(
    ({ table, column }) =>
      `-- polystore: an embedding generation is dropped only after reads left it (polystore vectors reembed --cutover)\n` +
      `DO $$ BEGIN IF to_regclass('polystore.embeddings') IS NOT NULL AND EXISTS (SELECT 1 FROM polystore.embeddings WHERE collection = ${sqlStringLiteral(table)} AND active_column = ${sqlStringLiteral(column)}) ` +
      `THEN RAISE EXCEPTION ${sqlStringLiteral(`polystore: "${table}" still reads the vectors of "${column}": cut over first (polystore vectors reembed ${table} --cutover)`)}; END IF; END $$;`,
  );
  const rewritten = statements.map((statement) => {
    for (const { table, column, indexes } of dropped) {
      if (statement === `ALTER TABLE "${table}" DROP COLUMN "${column}";`) return `ALTER TABLE "${table}" DROP COLUMN IF EXISTS "${column}";`;
      const index = indexes.find((name) => statement === `DROP INDEX "${name}";`);
      if (index) return `DROP INDEX IF EXISTS "${index}";`;
    }
    return statement;
  });
  return [...guards, ...rewritten];
}

/**
 * drizzle-kit adds a generated column (keyword search's tsvector) before the columns added beside it, one of which
 * its expression may read: generated columns go after the last column added. Indexes come later anyway.
 */
function generatedColumnsLast(statements: string[]): string[] {
  const isGenerated = (statement: string) => /^ALTER TABLE "\w+" ADD COLUMN "\w+" [^;]* GENERATED ALWAYS AS /.test(statement);
  const generated = statements.filter(isGenerated);
  const rest = statements.filter((statement) => !isGenerated(statement));
  const lastAdd = rest.findLastIndex((statement) => /^ALTER TABLE "\w+" ADD COLUMN /.test(statement));
  if (generated.length === 0 || lastAdd < 0) return statements;
  return [...rest.slice(0, lastAdd + 1), ...generated, ...rest.slice(lastAdd + 1)];
}

/**
 * Whether drizzle-kit asks if a table or column was renamed (one disappears as another appears). The answer is
 * not recorded, so such a migration is kept as it is, not made again (nor asked about once more).
 */
function asksAboutRenames(prev: DrizzleSnapshotJSON, cur: DrizzleSnapshotJSON): boolean {
  const swapped = (before: object, after: object) =>
    Object.keys(before).some((key) => !(key in after)) && Object.keys(after).some((key) => !(key in before));
  const [before, after] = [prev.tables, cur.tables] as Array<Record<string, { columns: object }>>;
  return swapped(before, after) || Object.keys(after).some((key) => key in before && swapped(before[key].columns, after[key].columns));
}

function readJournal(drizzleDir: string): Journal {
  const path = join(drizzleDir, 'meta', '_journal.json');
  if (!existsSync(path)) return EMPTY_JOURNAL;
  return JSON.parse(readFileSync(path, 'utf8')) as Journal;
}

const prefix = (idx: number) => String(idx).padStart(4, '0');

function emptySnapshot(): DrizzleSnapshotJSON {
  return { ...generateDrizzleJson({}), id: ORIGIN_ID, prevId: '' } as DrizzleSnapshotJSON;
}

/** drizzle-kit gives snapshots random ids; a hash of the content keeps the output byte-identical. */
function deterministicId(prevId: string, snapshot: object): string {
  const hex = createHash('sha256').update(prevId).update(JSON.stringify(snapshot)).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** Loads the emitted schema module in memory, resolving drizzle-orm from polystore's own location. */
function evaluateSchema(source: string): Record<string, unknown> {
  const filename = join(dirname(fileURLToPath(import.meta.url)), '__polystore_drizzle_schema__.ts');
  const jiti = createJiti(filename, { fsCache: false, moduleCache: false });
  const code = jiti.transform({ source, filename, ts: true });
  return jiti.evalModule(code, { filename, id: filename, async: false }) as Record<string, unknown>;
}

const usesVectors = (snapshot: DrizzleSnapshotJSON) =>
  Object.values(snapshot.tables as Record<string, { columns: Record<string, { type: string }> }>).some((table) =>
    Object.values(table.columns).some((column) => /^(vector|halfvec)\(/.test(column.type)),
  );

function extensionStatements(prev: DrizzleSnapshotJSON, cur: DrizzleSnapshotJSON): string[] {
  return usesVectors(cur) && !usesVectors(prev) ? ['-- polystore: pgvector, for vector and halfvec columns\nCREATE EXTENSION IF NOT EXISTS vector;'] : [];
}

/**
 * drizzle-kit has no partitioning (drizzle-orm issue 2854): rewrites the parents' CREATE TABLE and adds the
 * partitions. A table the schema no longer has (dropped or renamed since) keeps those its migration recorded.
 */
function withPartitions(tables: TableIR[], statements: string[], recorded: string[]): string[] {
  return statements.flatMap((statement) => {
    const name = /^CREATE TABLE "(\w+)" \(/.exec(statement)?.[1];
    const table = tables.find((candidate) => candidate.name === name);
    const create = statement.trimEnd().slice(0, -1);
    if (name && !table) return recordedPartitions(recorded, create, name) ?? [statement];
    if (!table?.partition) return [statement];
    if (!create.endsWith(')')) throw new Error(`internal: unexpected CREATE TABLE shape from drizzle-kit for "${table.name}"`);
    return [`${create} PARTITION BY RANGE ("${table.partition.column}");`, ...partitionStatements(table)];
  });
}

function recordedPartitions(recorded: string[], create: string, name: string): string[] | undefined {
  const start = recorded.findIndex((statement) => statement.startsWith(`${create} PARTITION BY RANGE (`));
  if (start < 0) return undefined;
  const end = recorded.findIndex((statement, i) => i > start && !statement.includes(` PARTITION OF "${name}" `));
  return recorded.slice(start, end < 0 ? undefined : end);
}

function partitionStatements(table: TableIR): string[] {
  const { column, months } = table.partition!;
  const type = table.columns.find((candidate) => candidate.name === column)?.type;
  // Bounds in UTC, so that a timestamptz partition does not depend on the session's time zone.
  const bound = (month: string) => sqlStringLiteral(type?.kind === 'timestamp' && type.withTimezone ? `${month}-01 00:00:00+00` : `${month}-01`);
  const next = (month: string) => {
    const [year, m] = month.split('-').map(Number);
    return monthText(year * 12 + m);
  };
  return [
    ...months.map(
      (month) =>
        `-- polystore: monthly partition\nCREATE TABLE "${partitionName(table.name, month)}" PARTITION OF "${table.name}" FOR VALUES FROM (${bound(month)}) TO (${bound(next(month))});`,
    ),
    `-- polystore: rows outside the monthly partitions\nCREATE TABLE "${partitionName(table.name)}" PARTITION OF "${table.name}" DEFAULT;`,
  ];
}
