import type { Socket } from 'node:net';

/** PostgreSQL's CancelRequest: length, code, backend pid, secret key; 4 bytes each. */
const CANCEL_REQUEST_BYTES = 16;

type SocketFactory = (options: { host: string[]; port: number[]; path?: string | false }) => Promise<Socket>;

/**
 * Sockets that fail (ECONNRESET) when the server closes them before sending a byte, as a TCP load balancer with no
 * server behind it does. postgres.js takes such a close, mid-handshake, for one to retry at once, and retries it
 * forever: the query waiting for the connection would never fail, nor a read move on to another replica.
 */
export function failUnanswered(open: SocketFactory): SocketFactory {
  return async (options) => {
    const socket = await open(options);
    socket.once('end', () => {
      // A cancel request (its 16 bytes, all a cancel's connection sends) is answered by the close itself.
      if (socket.bytesRead === 0 && socket.bytesWritten !== CANCEL_REQUEST_BYTES) socket.destroy(Object.assign(new Error('the server closed the connection without answering'), { code: 'ECONNRESET' }));
    });
    return socket;
  };
}
