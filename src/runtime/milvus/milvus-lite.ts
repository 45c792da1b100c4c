/**
 * Milvus Lite for `.db` addresses. pymilvus starts it by itself; @zilliz/milvus2-sdk-node does not, so
 * polystore runs Milvus Lite's gRPC server on a free loopback port, one server per data directory in this
 * process, stopped when the last user closes. A server that exits is forgotten at once: the next acquire of
 * its data directory starts another, on the data it persisted.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { PolystoreError } from '../../errors.js';

const STARTUP_TIMEOUT_MS = 60_000;
const INSTALL_HINT = 'pip install -r scripts/requirements-milvus.txt (milvus-lite and the pymilvus it imports)';
/**
 * `python3 -m milvus_lite server` (its run_server), made to end with this process: no exit handler runs on SIGKILL
 * or a crash, but this process's end of the stdin pipe closes. A thread waits for the end of stdin (with os.read:
 * blocked in sys.stdin's buffered read, it would abort the interpreter's exit), then stops the server as Ctrl-C
 * does, releasing the data directory's lock, and exits outright if that takes over 10 s.
 */
const SERVER = `
import os, signal, sys, threading, time
def orphaned():
    while os.read(0, 512): pass
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(10)
    os._exit(1)
threading.Thread(target=orphaned, daemon=True).start()
from milvus_lite.adapter.grpc.server import run_server
run_server(data_dir=sys.argv[1], host='127.0.0.1', port=int(sys.argv[2]))
`;

export const isMilvusLiteAddress = (address: string): boolean => address.endsWith('.db');

interface Running {
  address: Promise<string>;
  child: ChildProcess;
  users: number;
  /** How the server ended (exit code, signal, or failed start), once it has. */
  ended?: string;
}
const servers = new Map<string, Running>();
const forget = (key: string, running: Running) => servers.get(key) === running && servers.delete(key);

export interface MilvusLiteServer {
  /** `host:port`, once the server listens. */
  address: Promise<string>;
  /** How the server ended, once it has: its users then acquire a new one. */
  ended(): string | undefined;
  release(): Promise<void>;
}

/** Starts (or shares) the Milvus Lite server of a data directory. */
export function acquireMilvusLite(dataDir: string): MilvusLiteServer {
  const key = path.resolve(dataDir);
  const running = servers.get(key) ?? start(key);
  servers.set(key, running);
  running.users += 1;
  let released = false;
  return {
    address: running.address,
    ended: () => running.ended,
    async release() {
      if (released) return;
      released = true;
      running.users -= 1;
      if (running.users > 0) return;
      forget(key, running);
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
        // stdin is the pipe the server watches: see SERVER.
        child = spawn(python, ['-c', SERVER, dataDir, String(port)], { stdio: ['pipe', 'pipe', 'pipe'] });
        running.child = child;
        // On a normal exit the lock goes at once, without waiting for the server's own stop.
        const killOnExit = () => child.kill('SIGKILL');
        process.once('exit', killOnExit);
        let output = '';
        const fail = (reason: string, remedy = '') => {
          clearTimeout(timer);
          child.kill('SIGKILL');
          reject(new PolystoreError('MILVUS_LITE_FAILED', `Milvus Lite (${dataDir}) did not start: ${reason}${remedy}`));
        };
        const timer = setTimeout(() => fail(`no answer within ${STARTUP_TIMEOUT_MS / 1000} s`), STARTUP_TIMEOUT_MS);
        const listen = (chunk: Buffer) => {
          output = (output + chunk.toString()).slice(-10_000);
          if (/listening on/.test(output)) {
            clearTimeout(timer);
            resolve(`127.0.0.1:${port}`);
          }
        };
        child.stdout!.on('data', listen);
        child.stderr!.on('data', listen);
        // A server that ended is never handed out again. Failing after a start that succeeded changes nothing.
        const end = (how: string) => {
          running.ended = how;
          forget(dataDir, running);
        };
        const install = `. Install it with: ${INSTALL_HINT}`;
        child.once('error', (error) => {
          end(error.message);
          fail(`${python}: ${error.message}`, install);
        });
        child.once('exit', async (code, signal) => {
          process.off('exit', killOnExit);
          end(signal ? `signal ${signal}` : `exit code ${code}`);
          if (!/DataDirLockedError/.test(output)) {
            return fail(`${running.ended}: ${output.trim().split('\n').slice(-3).join(' | ')}`, /ModuleNotFoundError/.test(output) ? install : '');
          }
          const lock = path.join(dataDir, 'LOCK');
          const holder = await lockHolder(lock);
          fail(`its data directory is locked: ${lock} is held by ${holder ? `process ${holder}` : 'another process'} (another Milvus Lite, or pymilvus, on this .db)`);
        });
      }),
  );
  const running: Running = { address, child, users: 0 };
  // A failed start is reported to every user through `address`; it must not also crash the process.
  address.catch(() => forget(dataDir, running));
  return running;
}

/** The process holding a file's flock, from /proc/locks (Linux only). */
async function lockHolder(file: string): Promise<string | undefined> {
  try {
    const [{ ino }, locks] = await Promise.all([stat(file), readFile('/proc/locks', 'utf8')]);
    return locks
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .find((fields) => fields[1] === 'FLOCK' && fields[5]?.endsWith(`:${ino}`))?.[4];
  } catch {
    return undefined;
  }
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
