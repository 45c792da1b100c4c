/**
 * Where binary COPY starts to pay: polystore's two write paths for an insert, statements of vector text and
 * binary COPY, for calls of 1 to 5,000 rows of 128-dimensional passages into a table without its HNSW index, the
 * two paths taking turns call by call. Sets COPY_FROM_ROWS in server-probe.ts. On the native server
 * (POLYSTORE_TEST_PGVECTOR_URL, scripts/pgvector-server.sh) the COPY goes `FROM STDIN`; with BENCH_ENGINE=pglite,
 * on PGlite in-process, from its '/dev/blob'. Prints median rows/s per path and size, and writes them to
 * bench/results/copy-threshold-{server,pglite}.json.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { percentile, rows } from './passages.js';
import { checkedStore } from '../src/runtime/checks/checked-store.js';
import { createPgvectorStore } from '../src/runtime/pgvector/pgvector-store.js';
import { hexLiteral } from '../src/runtime/pgvector/vector-literal.js';
import { openConnection } from '../src/runtime/postgres/open-connection.js';
import * as schema from '../test/fixtures/runtime/drizzle/schema.js';
import { passagesCollection } from '../test/fixtures/runtime/generated/index.js';
import { serverDatabase } from '../test/helpers/engines.js';

const url = process.env.BENCH_ENGINE === 'pglite' ? undefined : process.env.POLYSTORE_TEST_PGVECTOR_URL;
if (!url && process.env.BENCH_ENGINE !== 'pglite') {
  throw new Error('start the server first (export POLYSTORE_TEST_PGVECTOR_URL=$(scripts/pgvector-server.sh)), or set BENCH_ENGINE=pglite');
}
const database = url ? await serverDatabase(url) : undefined;
const pglite = database ? undefined : new PGlite({ extensions: { vector } });
const connection = openConnection(schema, database ? { postgres: database.url } : { pglite: { client: pglite } }, (query) => query());
await connection.migrate(new URL('../test/fixtures/runtime/drizzle', import.meta.url).pathname);
// Checked as the facade checks them: the write path a call takes, validation included.
const store = (copyFromRows: number | undefined) => checkedStore(createPgvectorStore(passagesCollection, connection, async () => ({ vectorLiteral: hexLiteral, copyFromRows })), passagesCollection);
const paths = { statements: store(undefined), copy: store(0) };
const admin = (sql: string) => connection.execute([{ sql, params: [] }]);
// Without the HNSW index (a bulk load, as pgvector advises): what is measured is the write path, not graph upkeep.
await admin('DROP INDEX passages_embedding_hnsw');

const results: Array<Record<string, string | number>> = [];
for (const size of [1, 3, 10, 30, 100, 300, 1_000, 5_000]) {
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
  await admin('TRUNCATE passages');
  const rate = (name: keyof typeof paths) => Math.round(size / (percentile(times[name], 0.5) / 1000));
  results.push({ rows: size, calls, statements: rate('statements'), copy: rate('copy'), ratio: Number((rate('copy') / rate('statements')).toFixed(2)) });
}
console.log(database ? 'native server, COPY FROM STDIN' : "PGlite in-process, COPY FROM '/dev/blob'");
console.table(results);
await mkdir(new URL('./results', import.meta.url), { recursive: true });
await writeFile(new URL(`./results/copy-threshold-${database ? 'server' : 'pglite'}.json`, import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
await connection.close();
await pglite?.close();
await database?.drop();
