import type { Socket } from 'node:net';

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
      if (socket.bytesRead === 0) socket.destroy(Object.assign(new Error('the server closed the connection without answering'), { code: 'ECONNRESET' }));
    });
    return socket;
  };
}
