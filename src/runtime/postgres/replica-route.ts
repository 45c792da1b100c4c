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

/** A replica's read that had no answer within the deadline: the server is frozen, or the network drops its packets. */
class ReplicaTimeout extends Error {
  readonly code = 'REPLICA_TIMEOUT';
}

/**
 * The read, given up after `timeoutMs`. A server that holds the connection open and never answers would hold the
 * read for as long as it is frozen: no socket error comes. The query given up on is left to settle by itself (its
 * connection stays busy until the server answers or the socket breaks); nobody waits for it.
 */
async function withDeadline<R>(read: Promise<R>, timeoutMs: number): Promise<R> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ReplicaTimeout(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  read.catch(() => undefined);
  try {
    return await Promise.race([read, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Reads spread over replicas in turn. A replica that cannot serve one, or has not answered it within `timeoutMs`,
 * is left out for a cool-down and the read moves on to the next; with every replica out, it goes to the primary.
 * Only reads take this route: they can run again elsewhere, and a replica refuses writes.
 */
export function replicaRoute<Pool>(replicas: readonly Pool[], primary: Pool, timeoutMs: number) {
  const outUntil = replicas.map(() => 0);
  let next = 0;
  return async <R>(read: (pool: Pool) => Promise<R>): Promise<R> => {
    const first = next;
    next = (next + 1) % Math.max(replicas.length, 1);
    for (let turn = 0; turn < replicas.length; turn++) {
      const index = (first + turn) % replicas.length;
      if (outUntil[index] > performance.now()) continue;
      try {
        return await withDeadline(read(replicas[index]), timeoutMs);
      } catch (error) {
        if (!(error instanceof ReplicaTimeout) && !unavailable(error)) throw error;
        outUntil[index] = performance.now() + COOL_DOWN_MS;
      }
    }
    return read(primary);
  };
}
