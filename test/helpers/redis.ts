import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createClient } from '@redis/client';
import { freePort } from './free-port.js';

/** The Redis .ci/run starts (scripts/redis-server.sh); CI must have it, so there the cache suites never skip. */
export const redisUrl = process.env.POLYSTORE_TEST_REDIS_URL;
if (!redisUrl && process.env.CI) throw new Error('CI runs the cache suites on Redis: set POLYSTORE_TEST_REDIS_URL (.ci/run starts it)');
export const hasRedisServer = spawnSync('redis-server', ['--version']).status === 0;
if (!hasRedisServer && process.env.CI) throw new Error('CI kills and restarts Redis servers of its own: install redis-server (.ci/run does)');

/** A Redis of the test's own, which it may kill by PID and start again on the same port. */
export async function ownRedis() {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--enable-debug-command', 'local'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (spawnSync('redis-cli', ['-p', String(port), 'ping']).stdout?.toString().trim() === 'PONG') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server did not answer on port ${port}`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    /** SIGKILL, as a crash: no goodbye to the clients. */
    kill() {
      child?.kill('SIGKILL');
    },
    start,
    /** SIGSTOP: the sockets stay open and nothing answers, as a frozen host. */
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async stop() {
      if (child && child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((resolve) => child!.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** A plain client, to look at or tamper with what the cache wrote. */
export async function redisClient(url: string) {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}
