/**
 * SQL migrations for drizzle/: drizzle-kit diffs the emitted drizzle/schema.ts
 * against the last snapshot; polystore adds what drizzle-kit cannot write
 * (the pgvector extension, PARTITION BY RANGE and the partitions) and saves
 * the result in drizzle-kit's own layout, so drizzle-kit and drizzle-orm's
 * migrator keep working on the folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type DrizzleSnapshotJSON, generateDrizzleJson, generateMigration } from 'drizzle-kit/api';
import { createJiti } from 'jiti';
import type { SchemaIR, TableIR } from './ir.js';
import { sqlStringLiteral } from './emit/ts-literal.js';

const BREAKPOINT = '\n--> statement-breakpoint\n';
const ORIGIN_ID = '00000000-0000-0000-0000-000000000000';

export interface Journal {
  version: string;
  dialect: 'postgresql';
  entries: Array<{ idx: number; version: string; when: number; tag: string; breakpoints: boolean }>;
}

/** Files to add under drizzle/, keyed by path relative to it; empty when the schema has not changed. */
export type MigrationFiles = Map<string, string>;

export interface MigrationOptions {
  /** Suffix of the new migration's tag (`0001_<name>`). */
  name?: string;
  /** Journal time of a new migration, in ms; SOURCE_DATE_EPOCH pins it for reproducible output. */
  now?: number;
}

export async function planMigration(ir: SchemaIR, drizzleSchemaSource: string, drizzleDir: string, options: MigrationOptions = {}): Promise<MigrationFiles> {
  const journal = readJournal(drizzleDir);
  const last = journal.entries.at(-1);
  const prev = last ? (JSON.parse(readFileSync(join(drizzleDir, 'meta', `${prefix(last.idx)}_snapshot.json`), 'utf8')) as DrizzleSnapshotJSON) : emptySnapshot();
  const { id: _randomId, ...cur } = generateDrizzleJson(evaluateSchema(drizzleSchemaSource), prev.id);
  const statements = await generateMigration(prev, { ...cur, id: ORIGIN_ID } as DrizzleSnapshotJSON);
  const files: MigrationFiles = new Map();
  if (statements.length === 0) return files;

  const snapshot = { ...cur, id: deterministicId(prev.id, cur) };
  const idx = last ? last.idx + 1 : 0;
  const tag = `${prefix(idx)}_${options.name ?? (idx === 0 ? 'init' : 'update')}`;
  const when = Math.max(options.now ?? Date.now(), (last?.when ?? 0) + 1);
  const sql = [...extensionStatements(prev, snapshot as DrizzleSnapshotJSON), ...withPartitions(ir.tables, statements)];
  const entry = { idx, version: snapshot.version, when, tag, breakpoints: true };
  files.set(`${tag}.sql`, `${sql.join(BREAKPOINT)}\n`);
  files.set(`meta/${prefix(idx)}_snapshot.json`, `${JSON.stringify({ ...snapshot, _meta: { columns: {}, schemas: {}, tables: {} } }, null, 2)}\n`);
  files.set('meta/_journal.json', `${JSON.stringify({ ...journal, entries: [...journal.entries, entry] }, null, 2)}\n`);
  return files;
}

function readJournal(drizzleDir: string): Journal {
  const path = join(drizzleDir, 'meta', '_journal.json');
  if (!existsSync(path)) return { version: '7', dialect: 'postgresql', entries: [] };
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

/** drizzle-kit has no partitioning (drizzle-orm issue 2854): rewrites the parents' CREATE TABLE and adds the partitions. */
function withPartitions(tables: TableIR[], statements: string[]): string[] {
  return statements.flatMap((statement) => {
    const table = tables.find((candidate) => candidate.partition && statement.startsWith(`CREATE TABLE "${candidate.name}" (`));
    if (!table?.partition) return [statement];
    const body = statement.trimEnd();
    if (!body.endsWith(');')) throw new Error(`internal: unexpected CREATE TABLE shape from drizzle-kit for "${table.name}"`);
    return [
      `${body.slice(0, -1)} PARTITION BY RANGE ("${table.partition.column}");`,
      ...partitionStatements(table),
    ];
  });
}

function partitionStatements(table: TableIR): string[] {
  const { column, months } = table.partition!;
  const type = table.columns.find((candidate) => candidate.name === column)?.type;
  // Bounds in UTC, so that a timestamptz partition does not depend on the session's time zone.
  const bound = (month: string) => sqlStringLiteral(type?.kind === 'timestamp' && type.withTimezone ? `${month}-01 00:00:00+00` : `${month}-01`);
  const next = (month: string) => {
    const [year, m] = month.split('-').map(Number);
    return m === 12 ? `${year + 1}-01` : `${year}-${String(m + 1).padStart(2, '0')}`;
  };
  return [
    ...months.map(
      (month) =>
        `-- polystore: monthly partition\nCREATE TABLE "${table.name}_y${month.replace('-', 'm')}" PARTITION OF "${table.name}" FOR VALUES FROM (${bound(month)}) TO (${bound(next(month))});`,
    ),
    `-- polystore: rows outside the monthly partitions\nCREATE TABLE "${table.name}_default" PARTITION OF "${table.name}" DEFAULT;`,
  ];
}
