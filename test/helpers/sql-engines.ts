import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { serverDatabase, serverUrl } from './engines.js';
import type { PolystoreOptions } from '../../src/runtime/contract/options.js';

export interface Statement {
  sql: string;
  params?: unknown[];
}

/** A fresh, empty PostgreSQL database with pgvector, for suites that also read it with SQL of their own. */
export interface SqlDatabase {
  /** What createPolystore() needs to use this database. */
  options: PolystoreOptions;
  query<R = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<R[]>;
  /** Runs the statements in one transaction; resolves to the last one's rows. */
  transaction<R = Record<string, unknown>>(statements: Statement[]): Promise<R[]>;
  /** drizzle-orm's own migrator, on a folder of migrations. */
  migrate(folder: string): Promise<void>;
  close(): Promise<void>;
}

/** PGlite (PostgreSQL 18 + pgvector in WebAssembly) and, where it runs, the native server. */
export const sqlEngines: Array<{ name: string; open(): Promise<SqlDatabase> }> = [
  {
    name: 'PGlite',
    async open() {
      const client = new PGlite({ extensions: { vector } });
      return {
        options: { pglite: { client } },
        query: async (sql, params) => (await client.query<never>(sql, params)).rows,
        transaction: (statements) =>
          client.transaction(async (tx) => {
            let rows: never[] = [];
            for (const statement of statements) rows = (await tx.query<never>(statement.sql, statement.params)).rows;
            return rows;
          }),
        migrate: (folder) => migratePglite(drizzlePglite({ client }), { migrationsFolder: folder }),
        close: () => client.close(),
      };
    },
  },
  ...(serverUrl
    ? [
        {
          name: 'PostgreSQL 18 server (native pgvector)',
          async open(): Promise<SqlDatabase> {
            const database = await serverDatabase(serverUrl!);
            const sql = postgres(database.url, { max: 2, onnotice: () => {} });
            return {
              options: { postgres: { url: database.url, max: 4 }, autoMigrate: true },
              query: (text, params) => sql.unsafe(text, params as never[]) as Promise<never[]>,
              transaction: (statements) =>
                sql.begin(async (tx) => {
                  let rows: never[] = [];
                  for (const statement of statements) rows = (await tx.unsafe(statement.sql, statement.params as never[])) as never[];
                  return rows;
                }) as Promise<never[]>,
              migrate: (folder) => migratePostgres(drizzlePostgres({ client: sql }), { migrationsFolder: folder }),
              async close() {
                await sql.end();
                await database.drop();
              },
            };
          },
        },
      ]
    : []),
];
