import type { Connection } from '../connection.js';
import { probeVectorLiteral, type VectorLiteral } from './vector-literal.js';

/** What the stores need to know of the server, asked once per createPolystore(). */
export interface ServerTraits {
  vectorLiteral: VectorLiteral;
  /** Takes `COPY … FROM STDIN`: a real server does; PGlite behind pglite-socket closes the socket on it. */
  binaryCopy: boolean;
}

export async function probeServer(connection: Pick<Connection<never>, 'execute' | 'copyIn'>): Promise<ServerTraits> {
  const vectorLiteral = await probeVectorLiteral(connection);
  if (!connection.copyIn) return { vectorLiteral, binaryCopy: false };
  const [[[version]]] = await connection.execute([{ sql: 'SELECT version()', params: [] }]);
  return { vectorLiteral, binaryCopy: !String(version).includes('PGlite') };
}
