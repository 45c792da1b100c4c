/**
 * Where binary COPY starts to pay: polystore's two write paths on the native server, INSERT … unnest of text
 * arrays and binary COPY into a temporary table then INSERT … SELECT, for calls of 10 to 5,000 rows of
 * 128-dimensional passages into a table without its HNSW index, the two paths taking turns call by call. Sets COPY_FROM_ROWS in pgvector-store.ts.
 * Needs POLYSTORE_TEST_PGVECTOR_URL (scripts/pgvector-server.sh). Prints median rows/s per path and size.
 */
import postgres from 'postgres';
import { openConnection } from '../src/runtime/connection.js';
import { createPgvectorStore } from '../src/runtime/pgvector/pgvector-store.js';
import { hexLiteral } from '../src/runtime/pgvector/vector-literal.js';
import * as schema from '../test/fixtures/runtime/drizzle/schema.js';
import { passagesCollection } from '../test/fixtures/runtime/generated/index.js';
import { serverDatabase } from '../test/helpers/engines.js';
import { percentile, rows } from './passages.js';

const url = process.env.POLYSTORE_TEST_PGVECTOR_URL;
if (!url) throw new Error('start the server first: export POLYSTORE_TEST_PGVECTOR_URL=$(scripts/pgvector-server.sh)');
const database = await serverDatabase(url);
const connection = openConnection(schema, { postgres: database.url }, (query) => query());
await connection.migrate(new URL('../test/fixtures/runtime/drizzle/', import.meta.url).pathname);
const store = (binaryCopy: boolean) => createPgvectorStore(passagesCollection, connection, async () => ({ vectorLiteral: hexLiteral, binaryCopy }));
const paths = { statements: store(false), copy: store(true) };
const admin = postgres(database.url, { max: 1, onnotice: () => {} });
// Without the HNSW index (a bulk load, as pgvector advises): what is measured is the write path, not graph upkeep.
await admin.unsafe('DROP INDEX passages_embedding_hnsw');

const results: Array<Record<string, string | number>> = [];
for (const size of [10, 30, 100, 300, 1_000, 5_000]) {
  const calls = Math.max(5, Math.min(40, Math.floor(20_000 / size)));
  const times: Record<keyof typeof paths, number[]> = { statements: [], copy: [] };
  for (let call = 0; call < calls; call++) {
    const batch = rows.slice(0, size).map((row, i) => ({ ...row, id: `${size}-${call}-${i}` }));
    for (const name of (call % 2 === 0 ? ['statements', 'copy'] : ['copy', 'statements']) as Array<keyof typeof paths>) {
      const ids = batch.map((row) => ({ ...row, id: `${name}-${row.id}` }));
      const started = performance.now();
      await paths[name].insert(ids);
      times[name].push(performance.now() - started);
    }
  }
  await admin.unsafe('TRUNCATE passages');
  const rate = (name: keyof typeof paths) => Math.round(size / (percentile(times[name], 0.5) / 1000));
  results.push({ rows: size, calls, statements: rate('statements'), copy: rate('copy'), ratio: Number((rate('copy') / rate('statements')).toFixed(2)) });
}
console.table(results);
await admin.end();
await connection.close();
await database.drop();
