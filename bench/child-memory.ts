/** The peak resident memory of a benchmark's child process, read from /proc as it runs. */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../test/helpers/cli.js';

/** A process's peak resident memory so far (VmHWM), in MiB; undefined once it has exited. */
export function memoryOf(pid: number): number | undefined {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return undefined;
  }
}

/**
 * Runs the built CLI with V8's heap capped at 400 MiB (so that the peak measures what the command keeps alive, not
 * V8's laziness), sampling its peak every 50 ms; resolves when it exits, with its output and wall time.
 */
export function measuredCli(args: string[], cwd: string, env: Record<string, string>) {
  const started = performance.now();
  const child = spawn(process.execPath, [join(repoRoot, 'bin/polystore.js'), ...args], { cwd, env: { ...process.env, ...env, NODE_OPTIONS: '--max-old-space-size=400' }, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  let peakMiB = 0;
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  const sampler = setInterval(() => (peakMiB = Math.max(peakMiB, memoryOf(child.pid!) ?? 0)), 50);
  const exited = new Promise<{ status: number | null; stdout: string; seconds: number; peakMiB: number }>((resolve) =>
    child.once('close', (status) => {
      clearInterval(sampler);
      resolve({ status, stdout, seconds: (performance.now() - started) / 1000, peakMiB });
    }),
  );
  return Object.assign(exited, { child });
}
