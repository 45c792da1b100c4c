/**
 * A collection's embedding generations on PostgreSQL: one row of `polystore.embeddings` per collection (what
 * `migrate` records, which column reads use, a re-embed's progress), and a re-embed's reads and writes on the
 * generation columns. A switch of generation locks that row against the writes, which take it in share mode
 * (pgvector-store's stateCheck): no write lands between the count of missing vectors and the switch.
 */
import { getTableName } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import { arrayLiteral } from './insert-sql.js';
import { quoteIdentifier as quote } from './quote-identifier.js';
import { createStaleVectorsTrigger, dropStaleVectorsTrigger, hasStaleVectorsTrigger, STALE_VECTORS_FUNCTION } from './stale-vectors-trigger.js';
import type { VectorLiteral } from './vector-literal.js';
import { PolystoreError } from '../../errors.js';
import { type EmbeddingGenerations, type EmbeddingState, type MissingVector, noTextSource, type RecordedGeneration } from '../contract/embedding-state.js';
import type { VectorCollectionDescriptor } from '../contract/vector-store.js';
import { schemaGeneration } from '../generation-view.js';
import type { Connection, Statement } from '../postgres/connection.js';

export const STATE_TABLE = 'polystore.embeddings';
// Processes that record at once take turns: CREATE … IF NOT EXISTS (or OR REPLACE) is not safe against itself.
const TAKE_TURNS: Statement = { sql: `SELECT pg_advisory_xact_lock(hashtext('polystore.embeddings'))`, params: [] };
const ENSURE: Statement[] = [
  TAKE_TURNS,
  { sql: 'CREATE SCHEMA IF NOT EXISTS polystore', params: [] },
  {
    sql: `CREATE TABLE IF NOT EXISTS ${STATE_TABLE} (collection text PRIMARY KEY, active_column text NOT NULL, generations jsonb NOT NULL, version bigint NOT NULL DEFAULT 1, reembed jsonb, updated_at timestamptz NOT NULL DEFAULT now())`,
    params: [],
  },
];
/** No such table or schema: nothing recorded yet. */
const ABSENT = new Set(['42P01', '3F000']);
const LOCK_TIMEOUT = { sql: "SET LOCAL lock_timeout = '10s'", params: [] };

/** The statement a write runs last in its transaction: the record's version, read in share mode. */
export const stateCheck = (collection: string): Statement => ({ sql: `SELECT version FROM ${STATE_TABLE} WHERE collection = $1 FOR SHARE`, params: [collection] });

export function pgvectorGenerations(descriptor: VectorCollectionDescriptor, connection: Pick<Connection<never>, 'execute'>, vectorLiteral: () => Promise<VectorLiteral>): EmbeddingGenerations {
  const embedding = descriptor.embedding!;
  const tableName = getTableName(descriptor.table as PgTable);
  const table = quote(tableName);
  const name = descriptor.name;
  const from = embedding.from && quote(embedding.from.column);
  /** A generation's column, only as the schema named it. */
  const columnOf = (column: string) => {
    const generation = embedding.generations.find((candidate) => candidate.column === column);
    if (!generation) throw new PolystoreError('EMBEDDING_MODEL_MISMATCH', `"${name}": the schema has no generation of embeddings in column "${column}"`);
    return generation;
  };
  const textSource = () => {
    if (!from) throw noTextSource(name);
    return from;
  };

  async function read(): Promise<EmbeddingState | undefined> {
    try {
      const [rows] = await connection.execute([{ sql: `SELECT active_column, generations::text, version, reembed::text FROM ${STATE_TABLE} WHERE collection = $1`, params: [name] }]);
      if (rows.length === 0) return undefined;
      const [active, generations, version, reembed] = rows[0] as [string, string, unknown, string | null];
      return { active, generations: JSON.parse(generations) as RecordedGeneration[], version: Number(version), ...(reembed ? { reembed: JSON.parse(reembed) } : {}) };
    } catch (error) {
      if (ABSENT.has((error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code ?? '')) return undefined;
      throw error;
    }
  }

  /** Updates the row if its version is still `expected`; false when another process changed it first. */
  const writeState = async (state: Pick<EmbeddingState, 'active' | 'generations'>, expected: number | undefined) => {
    const generations = JSON.stringify(state.generations);
    const statement: Statement =
      expected === undefined
        ? { sql: `INSERT INTO ${STATE_TABLE} (collection, active_column, generations) VALUES ($1, $2, $3::jsonb) ON CONFLICT (collection) DO NOTHING RETURNING version`, params: [name, state.active, generations] }
        : { sql: `UPDATE ${STATE_TABLE} SET active_column = $2, generations = $3::jsonb, version = version + 1, updated_at = now() WHERE collection = $1 AND version = $4 RETURNING version`, params: [name, state.active, generations, expected] };
    const [rows] = await connection.execute([statement]);
    return rows.length > 0;
  };

  /** The trigger that keeps the inactive generation from going stale, while there is one (stale-vectors-trigger.ts). */
  async function staleVectorsGuarded(state: EmbeddingState): Promise<EmbeddingState> {
    if (!embedding.from) return state;
    const [[[present]]] = await connection.execute([hasStaleVectorsTrigger(tableName)]);
    const wanted = state.generations.length > 1;
    if (wanted !== Number(present) > 0) await connection.execute(wanted ? [TAKE_TURNS, STALE_VECTORS_FUNCTION, createStaleVectorsTrigger(tableName, name, embedding.from.column)] : [TAKE_TURNS, dropStaleVectorsTrigger(tableName)]);
    return state;
  }

  return {
    read,

    async record() {
      await connection.execute(ENSURE);
      for (;;) {
        const current = await read();
        const [[columnRows], [[hasRows]]] = await Promise.all([
          connection.execute([{ sql: 'SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1', params: [tableName] }]),
          connection.execute([{ sql: `SELECT EXISTS (SELECT 1 FROM ${table})`, params: [] }]),
        ]);
        const present = new Set(columnRows.map(([column]) => column as string));
        // The schema's generations whose columns the migrations made; recorded ones whose columns are gone, left out.
        const known = embedding.generations.filter((generation) => present.has(generation.column)).map(({ column, model, dimension, storage }) => ({ column, model, dimension, storage }));
        const kept = (current?.generations ?? []).filter((generation) => present.has(generation.column));
        const generations = [...kept, ...known.filter((generation) => !kept.some((recorded) => recorded.column === generation.column))];
        if (generations.length === 0) throw new PolystoreError('COLLECTION_MISSING', `"${name}": none of its vector columns exists; run the migrations first`);
        // A first record: the oldest generation when the table holds records (theirs are its vectors), else the schema's.
        const schemaColumn = schemaGeneration(descriptor).column;
        const active = current && present.has(current.active) ? current.active : hasRows || !generations.some((g) => g.column === schemaColumn) ? generations[0].column : schemaColumn;
        if (current && current.active === active && JSON.stringify(current.generations) === JSON.stringify(generations)) return staleVectorsGuarded(current);
        if (await writeState({ active, generations }, current?.version)) return staleVectorsGuarded((await read())!);
      }
    },

    async activate(column, expectedVersion) {
      columnOf(column);
      const target = quote(column);
      const results = await connection.execute([
        LOCK_TIMEOUT,
        { sql: `SELECT version FROM ${STATE_TABLE} WHERE collection = $1 FOR UPDATE`, params: [name] },
        { sql: `SELECT count(*) FROM ${table} WHERE ${target} IS NULL`, params: [] },
        {
          sql: `UPDATE ${STATE_TABLE} SET active_column = $2, version = version + 1, updated_at = now() WHERE collection = $1 AND version = $3 AND generations @> $4::jsonb AND NOT EXISTS (SELECT 1 FROM ${table} WHERE ${target} IS NULL) RETURNING version`,
          params: [name, column, expectedVersion, JSON.stringify([{ column }])],
        },
      ]);
      const missing = Number(results[2][0][0]);
      if (results[3].length === 0 && missing === 0) throw new PolystoreError('EMBEDDING_STATE_CHANGED', `"${name}": the record of its embeddings changed meanwhile; run the command again`);
      return { missing };
    },

    async dropInactive(expectedVersion) {
      const current = await read();
      if (!current) throw new PolystoreError('EMBEDDING_NOT_RECORDED', `"${name}": no embedding model recorded; run the migrations (polystore migrate)`);
      const dropped = current.generations.filter((generation) => generation.column !== current.active).map((generation) => columnOf(generation.column).column);
      const active = current.generations.filter((generation) => generation.column === current.active);
      await connection.execute(
        [
          LOCK_TIMEOUT,
          // The table before the record: writes lock rows, then the record in share mode; the other order deadlocks.
          { sql: `LOCK TABLE ${table} IN ACCESS EXCLUSIVE MODE`, params: [] },
          { sql: `SELECT version FROM ${STATE_TABLE} WHERE collection = $1 FOR UPDATE`, params: [name] },
          ...(dropped.length > 0 ? [dropStaleVectorsTrigger(tableName)] : []),
          ...dropped.map((column) => ({ sql: `ALTER TABLE ${table} DROP COLUMN IF EXISTS ${quote(column)}`, params: [] })),
          ...(dropped.length === 1 ? [{ sql: `ALTER TABLE ${table} ALTER COLUMN ${quote(current.active)} SET NOT NULL`, params: [] }] : []),
          { sql: `UPDATE ${STATE_TABLE} SET generations = $2::jsonb, reembed = NULL, version = version + 1, updated_at = now() WHERE collection = $1 AND version = $3 RETURNING version`, params: [name, JSON.stringify(active), expectedVersion] },
        ],
        (rows, index) => {
          if (index === 2 && Number(rows[0]?.[0]) !== expectedVersion) throw new PolystoreError('EMBEDDING_STATE_CHANGED', `"${name}": the record of its embeddings changed meanwhile; nothing was dropped; run the command again`);
        },
      );
      return dropped;
    },

    async saveProgress(progress) {
      await connection.execute([{ sql: `UPDATE ${STATE_TABLE} SET reembed = $2::jsonb WHERE collection = $1`, params: [name, progress === undefined ? null : JSON.stringify(progress)] }]);
    },

    async missing(column, after, limit) {
      const text = textSource();
      const target = quote(columnOf(column).column);
      const params: unknown[] = after === undefined ? [limit] : [limit, after];
      const [rows] = await connection.execute([{ sql: `SELECT "id", ${text} FROM ${table} WHERE ${target} IS NULL${after === undefined ? '' : ' AND "id" > $2'} ORDER BY "id" LIMIT $1`, params }]);
      return rows.map(([id, value]): MissingVector => ({ id: id as string, key: id as string, text: value as string }));
    },

    async fill(column, rows) {
      if (rows.length === 0) return 0;
      const text = textSource();
      const generation = columnOf(column);
      const target = quote(generation.column);
      const literal = await vectorLiteral();
      const type = `${generation.storage}(${generation.dimension})`;
      const [filled] = await connection.execute([
        {
          sql: `UPDATE ${table} AS t SET ${target} = u.v::${type} FROM unnest($1::text[], $2::text[], $3::text[]) AS u(id, txt, v) WHERE t."id" = u.id AND t.${target} IS NULL AND t.${text} = u.txt RETURNING t."id"`,
          params: [arrayLiteral(rows.map((row) => row.id)), arrayLiteral(rows.map((row) => row.text)), arrayLiteral(rows.map((row) => literal(row.vector)))],
        },
      ]);
      return filled.length;
    },

    async count(column) {
      const target = quote(columnOf(column).column);
      const [[[missing, total]]] = await connection.execute([{ sql: `SELECT count(*) FILTER (WHERE ${target} IS NULL), count(*) FROM ${table}`, params: [] }]);
      return { missing: Number(missing), total: Number(total) };
    },
  };
}
