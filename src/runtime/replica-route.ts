/** How long a replica that could not serve a read is left out before reads try it again. */
const COOL_DOWN_MS = 5_000;

/**
 * The driver's and the socket's codes for a connection that failed or broke (postgres.js: CONNECTION_CLOSED,
 * CONNECTION_DESTROYED, CONNECT_TIMEOUT; Node: ECONNREFUSED…, and ABORT_ERR for our sockets' connect timeout).
 */
const BROKEN_CONNECTION = new Set(['CONNECTION_CLOSED', 'CONNECTION_DESTROYED', 'CONNECT_TIMEOUT', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ABORT_ERR']);

/**
 * Whether a server could not serve the read at all, as opposed to refusing the statement (which the primary would
 * refuse too): a broken connection, or SQLSTATE class 08 (connection exception), 28 (authorization), 3D000 (no such
 * database), 53300 (too many connections) or 57P01–57P03 (shutting down, crashed, starting up).
 */
function unavailable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (BROKEN_CONNECTION.has(code) || /^(08|28)...$|^3D000$|^53300$|^57P0[123]$/.test(code));
}

/**
 * Reads spread over replicas in turn. A replica that cannot serve one is left out for a cool-down and the read
 * moves on to the next; with every replica out, it goes to the primary. Only reads take this route: they can run
 * again elsewhere, and a replica refuses writes.
 */
export function replicaRoute<Pool>(replicas: readonly Pool[], primary: Pool) {
  const outUntil = replicas.map(() => 0);
  let next = 0;
  return async <R>(read: (pool: Pool) => Promise<R>): Promise<R> => {
    const first = next;
    next = (next + 1) % Math.max(replicas.length, 1);
    for (let turn = 0; turn < replicas.length; turn++) {
      const index = (first + turn) % replicas.length;
      if (outUntil[index] > performance.now()) continue;
      try {
        return await read(replicas[index]);
      } catch (error) {
        if (!unavailable(error)) throw error;
        outUntil[index] = performance.now() + COOL_DOWN_MS;
      }
    }
    return read(primary);
  };
}
