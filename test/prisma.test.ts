import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { polystore, repoRoot, scratchDir } from './helpers/cli.js';
import { offlinePrismaEnv } from './helpers/prisma-env.js';
import { PolystoreError } from '../src/errors.js';
import { connectDocuments, type PrismaClientClass, type PrismaClientLike } from '../src/runtime/mongodb/documents.js';

const env = offlinePrismaEnv();
const prismaCli = join(repoRoot, 'node_modules/prisma/build/index.js');
const prisma = (args: string[]) => spawnSync(process.execPath, [prismaCli, ...args], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, ...env } });

describe('prisma/schema.prisma', () => {
  it("passes Prisma's own validator", () => {
    const result = prisma(['validate', '--schema', 'prisma/schema.prisma']);
    expect(result.stderr).not.toMatch(/error/i);
    expect(result.stdout).toContain('is valid');
    expect(result.status).toBe(0);
  });

  it('is already in `prisma format` layout', () => {
    const copy = join(scratchDir(), 'schema.prisma');
    copyFileSync(join(repoRoot, 'prisma/schema.prisma'), copy);
    expect(prisma(['format', '--schema', copy]).status).toBe(0);
    expect(readFileSync(copy, 'utf8')).toBe(readFileSync(join(repoRoot, 'prisma/schema.prisma'), 'utf8'));
  });

  it('`polystore generate` runs `prisma generate`, and a missing engine is explained in plain words', async () => {
    const out = scratchDir();
    const result = polystore(['generate', '--out', out], { env });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const { PrismaClient } = (await import('@prisma/client')) as unknown as { PrismaClient: PrismaClientClass<PrismaClientLike> };
    const error = await connectDocuments(PrismaClient, env.MONGODB_URL).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PolystoreError);
    expect(error).toMatchObject({ code: 'PRISMA_ENGINE_MISSING' });
    expect((error as Error).message).toContain("Prisma's query engine is not installed on this machine");
    // The client now comes from this schema: another generate of it skips prisma generate, and says so.
    const again = polystore(['generate', '--out', scratchDir()], { env });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('prisma generate skipped');
  });
});

// Needs a MongoDB server and Prisma's real engine: runs only where MONGODB_URL is set, and reports as skipped elsewhere.
describe.skipIf(!process.env.MONGODB_URL)('documents on a real MongoDB', () => {
  it('writes and reads a document through the generated client', async () => {
    const { PrismaClient } = (await import('@prisma/client')) as unknown as {
      PrismaClient: PrismaClientClass<PrismaClientLike & { team: { create(args: object): Promise<{ id: string; name: string }>; delete(args: object): Promise<unknown> } }>;
    };
    const client = await connectDocuments(PrismaClient, process.env.MONGODB_URL);
    try {
      const team = await client.team.create({ data: { name: "O'Brien \"team\"" } });
      expect(team.name).toBe("O'Brien \"team\"");
      await client.team.delete({ where: { id: team.id } });
    } finally {
      await client.$disconnect();
    }
  });
});
