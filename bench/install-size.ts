/**
 * The size of a consumer's node_modules after installing polystore's packed tarball as a deploy does
 * (`--omit=dev`), and optionally with the generator's tools as its devDependencies (the README's install).
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const npm = (args: string[], cwd: string) => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** Bytes of every file under `dir` (apparent sizes, links not followed). */
function bytesUnder(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).reduce((sum, entry) => (entry.isFile() ? sum + lstatSync(join(entry.parentPath, entry.name)).size : sum), 0);
}

/** Installs the packed package (dist/ as built) into `consumer`, an empty folder; resolves to its node_modules' size. */
export function consumerSize(consumer: string, options: { withTools: boolean }): { megabytes: number } {
  const tarball = npm(['pack', '--ignore-scripts', '--pack-destination', consumer], root).trim().split('\n').at(-1)!;
  writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'polystore-consumer', private: true, type: 'module' }));
  npm(['install', '--omit=dev', join(consumer, tarball)], consumer);
  if (options.withTools) {
    const { peerDependencies } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    const tools = ['drizzle-kit', 'prettier', 'prisma', 'ts-morph'].map((name) => `${name}@${peerDependencies[name]}`);
    npm(['install', '--save-dev', ...tools], consumer);
    npm(['install', `@prisma/client@${peerDependencies.prisma}`], consumer);
  }
  return { megabytes: bytesUnder(join(consumer, 'node_modules')) / 1_048_576 };
}
