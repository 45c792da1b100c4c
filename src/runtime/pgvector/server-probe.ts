import { probeVectorLiteral, type VectorLiteral } from './vector-literal.js';
import type { Connection } from '../postgres/connection.js';

/** What the stores need to know of the server, asked once per createPolystore(). */
export interface ServerTraits {
  vectorLiteral: VectorLiteral;
  /**
   * From how many rows a write goes over binary COPY; undefined where COPY cannot be used (PGlite behind
   * pglite-socket closes the socket on `COPY … FROM STDIN`).
   */
  copyFromRows: number | undefined;
}

/**
 * `npm run bench:copy-threshold`, inserts of 128-d rows into a table without its HNSW index, COPY ÷ statements.
 * Native server: 0.72× at 10 rows (COPY's extra round trips), 1.04× at 30, 1.90× at 100, 3.27× at 1,000; an
 * upsert's COPY goes through a temporary table, one more statement, hence 100. PGlite in-process, where a round
 * trip is a function call and parsing vector text in WebAssembly is the cost: 1.27× at 1 row, 2.57× at 10, 6–8× from 100.
 */
const COPY_FROM_ROWS = { server: 100, pglite: 10 };

export async function probeServer(connection: Pick<Connection<never>, 'kind' | 'execute'>): Promise<ServerTraits> {
  const vectorLiteral = await probeVectorLiteral(connection);
  if (connection.kind === 'pglite') {
    // PGlite reads COPY data as the file '/dev/blob': a role needs the right to read server files.
    const [[[mayRead]]] = await connection.execute([{ sql: "SELECT pg_has_role(current_user, 'pg_read_server_files', 'USAGE')", params: [] }]);
    return { vectorLiteral, copyFromRows: mayRead === true ? COPY_FROM_ROWS.pglite : undefined };
  }
  const [[[version]]] = await connection.execute([{ sql: 'SELECT version()', params: [] }]);
  return { vectorLiteral, copyFromRows: String(version).includes('PGlite') ? undefined : COPY_FROM_ROWS.server };
}
