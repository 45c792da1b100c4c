import { createServer, type Socket, connect as connectTcp } from 'node:net';

/**
 * A TCP proxy in front of a server, for fault tests: `cutAfter(bytes)` cuts every connection once that many more
 * bytes have gone to the server (and, with `stayDown`, refuses new ones until `down` is set back to false);
 * `freeze()` stops passing anything on, connections held open, as a frozen server or a network black hole does,
 * until `thaw()`.
 */
export async function tcpProxy(target: string) {
  const [host, port] = target.split(':');
  const sockets = new Set<Socket>();
  let sent = 0;
  let cut: { at: number; stayDown: boolean } | undefined;
  const state = { down: false, frozen: false };
  const cutAll = () => sockets.forEach((socket) => socket.destroy());
  const proxy = createServer((client) => {
    if (state.down) return client.destroy();
    const server = connectTcp(Number(port), host);
    sockets.add(client).add(server);
    if (state.frozen) client.pause(), server.pause();
    client.on('data', (chunk: Buffer) => {
      sent += chunk.length;
      if (cut && sent > cut.at) {
        state.down = cut.stayDown;
        cut = undefined;
        return cutAll();
      }
      server.write(chunk);
    });
    server.on('data', (chunk: Buffer) => client.write(chunk));
    for (const [a, b] of [[client, server], [server, client]]) a.on('error', () => b.destroy()).on('close', () => b.destroy());
  });
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(proxy.address() as { port: number }).port}`,
    state,
    freeze() {
      state.frozen = true;
      sockets.forEach((socket) => socket.pause());
    },
    thaw() {
      state.frozen = false;
      sockets.forEach((socket) => socket.resume());
    },
    cutAfter(bytes: number, options: { stayDown?: boolean } = {}) {
      cut = { at: sent + bytes, stayDown: options.stayDown ?? false };
    },
    async close() {
      cutAll();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
}
