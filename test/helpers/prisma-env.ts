import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

/**
 * Prisma's engines cannot be downloaded here. `prisma validate` and `prisma generate` work offline when the
 * engine variables point at placeholder files; only tests and CI do this.
 */
export function offlinePrismaEnv(): Record<string, string> {
  const dir = join(repoRoot, 'test/.tmp');
  mkdirSync(dir, { recursive: true });
  const placeholder = join(dir, 'prisma-engine-placeholder');
  writeFileSync(placeholder, '');
  return {
    PRISMA_SCHEMA_ENGINE_BINARY: placeholder,
    PRISMA_QUERY_ENGINE_LIBRARY: placeholder,
    MONGODB_URL: process.env.MONGODB_URL ?? 'mongodb://127.0.0.1:9/polystore-placeholder',
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  };
}
