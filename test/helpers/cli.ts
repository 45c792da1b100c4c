import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const bin = join(repoRoot, 'bin/polystore.js');

/** Runs the built CLI (npm test builds first), as a user would. */
interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
}
const spawnOptions = (options: RunOptions) => ({ cwd: options.cwd ?? repoRoot, env: { ...process.env, SOURCE_DATE_EPOCH: '1767225600', ...options.env } });

export function polystore(args: string[], options: RunOptions = {}) {
  const result = spawnSync(process.execPath, [bin, ...args], { ...spawnOptions(options), encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `polystore` without blocking this process: for a run beside work of the test's own (writers, searches). */
export function polystoreAsync(args: string[], options: RunOptions = {}) {
  const child = spawn(process.execPath, [bin, ...args], spawnOptions(options));
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
  return Object.assign(done, { child });
}

/** A scratch folder inside the repository, so that schema files there resolve `polystore` to this package. */
export function scratchDir(): string {
  const base = join(repoRoot, 'test/.tmp');
  mkdirSync(base, { recursive: true });
  return mkdtempSync(join(base, 'run-'));
}

/** Every file below `dir`, relative path → content. */
export function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (current: string) => {
    for (const name of readdirSync(current)) {
      const path = join(current, name);
      if (statSync(path).isDirectory()) walk(path);
      else out[relative(dir, path)] = readFileSync(path, 'utf8');
    }
  };
  walk(dir);
  return out;
}
