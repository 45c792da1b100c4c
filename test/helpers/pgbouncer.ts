import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { freePort } from './free-port.js';

/** Debian's PgBouncer (.ci/run installs the package `pgbouncer`). */
export const PGBOUNCER = '/usr/sbin/pgbouncer';
/** PgBouncer refuses to run as root: as root, it runs as the system user the native server runs as (scripts/pgvector-server.sh). */
const SERVER_USER = process.env.POLYSTORE_PG_USER ?? 'polystore-pg';

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => resolve(!!socket.end())).on('error', () => resolve(false));
  });

/**
 * A PgBouncer in transaction pooling mode in front of the PostgreSQL server of `url`, on a free loopback port, with
 * its configuration under a folder of its own in /tmp: every database of the server, as the database's name says,
 * through `serverConnections` server connections per database and user. It ignores the startup parameter
 * `extra_float_digits`, which it does not track and would otherwise refuse. `url(database URL)` is that database
 * through the PgBouncer; `stop()` ends it, by its PID.
 */
export async function startPgBouncer(url: string, options: { serverConnections?: number } = {}) {
  const target = new URL(url);
  const dir = mkdtempSync(join(tmpdir(), 'polystore-pgbouncer-'));
  const port = await freePort();
  const user = decodeURIComponent(target.username);
  writeFileSync(join(dir, 'users.txt'), `"${user}" ""\n`);
  writeFileSync(
    join(dir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=${target.hostname} port=${target.port || 5432}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${options.serverConnections ?? 4}`,
      `min_pool_size = ${options.serverConnections ?? 4}`,
      // Each transaction on the next server connection, as under load: nothing of a session outlives its transaction.
      'server_round_robin = 1',
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  const root = process.getuid?.() === 0;
  const ids = root ? { uid: Number(execFileSync('id', ['-u', SERVER_USER], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', SERVER_USER], { encoding: 'utf8' })) } : {};
  if (root) for (const path of [dir, join(dir, 'users.txt'), join(dir, 'pgbouncer.ini')]) chownSync(path, ids.uid!, ids.gid!);
  const child: ChildProcess = spawn(PGBOUNCER, [join(dir, 'pgbouncer.ini')], { ...ids, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = Date.now() + 10_000;
  let up = false;
  while (child.exitCode === null && !(up = await accepts(port)) && Date.now() < end) await setTimeout(50);
  if (!up) {
    child.kill();
    const log = join(dir, 'pgbouncer.log');
    throw new Error(`PgBouncer did not start: ${existsSync(log) ? readFileSync(log, 'utf8') : 'no log'}`);
  }
  return {
    url(databaseUrl: string) {
      const through = new URL(databaseUrl);
      through.hostname = '127.0.0.1';
      through.port = String(port);
      return through.href;
    },
    async stop() {
      if (child.exitCode === null) process.kill(child.pid!, 'SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
