/**
 * Milvus Lite for `.db` addresses. pymilvus starts it by itself; @zilliz/milvus2-sdk-node does not, so
 * polystore runs `python3 -m milvus_lite server` on a free loopback port, one server per data directory in
 * this process, stopped when the last user closes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { PolystoreError } from '../../errors.js';

const STARTUP_TIMEOUT_MS = 60_000;
const INSTALL_HINT = 'pip install -r scripts/requirements-milvus.txt (milvus-lite and the pymilvus it imports)';

export const isMilvusLiteAddress = (address: string): boolean => address.endsWith('.db');

interface Running {
  address: Promise<string>;
  child: ChildProcess;
  users: number;
}
const servers = new Map<string, Running>();

/** Starts (or shares) the Milvus Lite server of a data directory; resolves to its `host:port`. */
export function acquireMilvusLite(dataDir: string): { address: Promise<string>; release(): Promise<void> } {
  const key = path.resolve(dataDir);
  const running = servers.get(key) ?? start(key);
  servers.set(key, running);
  running.users += 1;
  let released = false;
  return {
    address: running.address,
    async release() {
      if (released) return;
      released = true;
      running.users -= 1;
      if (running.users > 0) return;
      servers.delete(key);
      await stop(running.child);
    },
  };
}

function start(dataDir: string): Running {
  const python = process.env.POLYSTORE_PYTHON ?? 'python3';
  let child!: ChildProcess;
  const address = freePort().then(
    (port) =>
      new Promise<string>((resolve, reject) => {
        child = spawn(python, ['-m', 'milvus_lite', 'server', '--data-dir', dataDir, '--host', '127.0.0.1', '--port', String(port)], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        running.child = child;
        const killOnExit = () => child.kill('SIGKILL');
        process.once('exit', killOnExit);
        let output = '';
        const fail = (reason: string) => {
          clearTimeout(timer);
          child.kill('SIGKILL');
          reject(new PolystoreError('MILVUS_LITE_FAILED', `Milvus Lite (${dataDir}) did not start: ${reason}. Install it with: ${INSTALL_HINT}`));
        };
        const timer = setTimeout(() => fail(`no answer within ${STARTUP_TIMEOUT_MS / 1000} s`), STARTUP_TIMEOUT_MS);
        const listen = (chunk: Buffer) => {
          output += chunk.toString();
          if (/listening on/.test(output)) {
            clearTimeout(timer);
            resolve(`127.0.0.1:${port}`);
          }
        };
        child.stdout!.on('data', listen);
        child.stderr!.on('data', listen);
        child.once('error', (error) => fail(`${python}: ${error.message}`));
        child.once('exit', (code) => {
          process.off('exit', killOnExit);
          fail(`exit code ${code}: ${output.trim().split('\n').slice(-3).join(' | ')}`);
        });
      }),
  );
  const running: Running = { address, child, users: 0 };
  // A failed start is reported to every user through `address`; it must not also crash the process.
  address.catch(() => servers.delete(dataDir));
  return running;
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
