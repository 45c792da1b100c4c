/**
 * The generator's tools are the application's devDependencies (polystore's optional peers), as `prisma` and
 * `drizzle-kit` are: a production install (`npm ci --omit=dev`) has none of them, and `createPolystore()` needs
 * none. `polystore generate` looks for them before it loads any, and names exactly what to install.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PolystoreError } from '../src/errors.js';
import { packageRoot } from './package-root.js';

/** What emitting and checking the files loads (ts-morph brings the TypeScript it compiles with). */
const EMIT_TOOLS = ['drizzle-kit', 'prettier', 'ts-morph'];
/** What `prisma generate` runs (the CLI, a devDependency) and writes into (the client, an application dependency). */
const PRISMA_CLI = 'prisma';
const PRISMA_CLIENT = '@prisma/client';

/**
 * A package installed where Node resolves polystore's own imports: a node_modules/<name> in its folder or above it
 * (the project's own node_modules, where npm puts peers). Looked up by path, not resolved: drizzle-kit exports no
 * package.json, and its main entry is the CLI.
 */
const installed = (name: string) => {
  for (let dir = packageRoot; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules', name, 'package.json'))) return true;
    if (dirname(dir) === dir) return false;
  }
};

export function requireGeneratorTools(prismaClient: boolean): void {
  const manifest = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
  // The client in the CLI's version range: prisma generate writes a client for its own version.
  const spec = (name: string) => `${name}@${manifest.peerDependencies[name === PRISMA_CLIENT ? PRISMA_CLI : name]}`;
  const missing = (names: readonly string[]) => names.filter((name) => !installed(name));
  const dev = missing([...EMIT_TOOLS, ...(prismaClient ? [PRISMA_CLI] : [])]);
  const runtime = missing(prismaClient ? [PRISMA_CLIENT] : []);
  if (dev.length + runtime.length === 0) return;
  const commands = [...(dev.length > 0 ? [`npm install --save-dev ${dev.map(spec).join(' ')}`] : []), ...(runtime.length > 0 ? [`npm install ${runtime.map(spec).join(' ')}`] : [])];
  throw new PolystoreError(
    'GENERATOR_TOOL_MISSING',
    `generate needs ${[...dev, ...runtime].join(', ')}, not installed: ${commands.join(' && ')}${runtime.length > 0 || dev.includes(PRISMA_CLI) ? ' (or --no-prisma-client, to write prisma/schema.prisma without generating its client)' : ''}`,
  );
}
