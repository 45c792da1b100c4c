import { once } from 'node:events';
import { connect } from 'node:net';

/**
 * Sockets without Nagle's algorithm, which postgres.js leaves on: a COPY's small closing message would wait for
 * the server's delayed acknowledgement (40 ms a call). One host, by TCP or a Unix socket.
 */
export function noDelaySocket(timeoutSeconds: number) {
  return async (options: { host: string[]; port: number[]; path?: string | false }) => {
    const socket = options.path ? connect(options.path) : connect({ host: options.host[0], port: options.port[0], noDelay: true });
    // Where postgres.js's errors say it was connecting (CONNECT_TIMEOUT host:port), as it sets on sockets of its own.
    if (!options.path) Object.assign(socket, { host: options.host[0], port: options.port[0] });
    try {
      await once(socket, 'connect', { signal: AbortSignal.timeout(timeoutSeconds * 1000) });
    } catch (error) {
      socket.destroy();
      throw error;
    }
    return socket;
  };
}
