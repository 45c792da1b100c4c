/**
 * What a production install of polystore carries: the packed package installed with `npm install --omit=dev` into
 * a consumer of its own, as a deploy (`npm ci --omit=dev`, a Lambda bundle, a Docker image) gets it. Only what
 * `createPolystore()` needs; the generator's tools are the application's devDependencies, and `polystore
 * generate` without them names what to install.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { consumerSize } from '../bench/install-size.js';

const root = new URL('../', import.meta.url);
const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { dependencies: Record<string, string>; peerDependencies: Record<string, string>; peerDependenciesMeta: Record<string, { optional?: boolean }> };

/** What the runtime needs, each for what. A new entry is a decision: say why here. */
const RUNTIME = {
  '@electric-sql/pglite': 'the embedded PostgreSQL, the default',
  '@electric-sql/pglite-pgvector': 'pgvector in PGlite',
  '@keyv/redis': 'the Redis cache',
  'cli-progress': "the CLI's progress bars (migrate, reembed, integrity)",
  cockatiel: "the cache's circuit breaker and timeouts",
  commander: 'the CLI (migrate, health, partitions, vectors, integrity run in production)',
  'drizzle-orm': 'the tables and the migrator',
  jiti: 'polystore.config.ts and the generated facade, loaded by the CLI',
  keyv: 'the in-memory cache',
  'lru-cache': "the in-memory cache's bound",
  mongodb: 'the documents: cache, cascade, integrity, indexes',
  ms: "the CLI's durations (--older-than 1h)",
  'p-limit': "the embedders' concurrency",
  'p-retry': "the embedders' and Milvus Lite's retries",
  'p-throttle': "the embedders' rate",
  postgres: 'the PostgreSQL server driver',
};
/** The generator's tools and the Milvus SDK: the application installs them when it uses them. */
const OPTIONAL_PEERS = ['@zilliz/milvus2-sdk-node', 'drizzle-kit', 'prettier', 'prisma', 'ts-morph'];
/** A production install, polystore and all it pulls in, PGlite included. */
const MAX_MB = 100;

describe('production install', () => {
  it('depends on the runtime list, and on the generator and the Milvus SDK only as optional peers', () => {
    expect(Object.keys(manifest.dependencies).sort()).toEqual(Object.keys(RUNTIME).sort());
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(OPTIONAL_PEERS);
    for (const name of OPTIONAL_PEERS) expect(manifest.peerDependenciesMeta[name], name).toEqual({ optional: true });
  });

  let consumer: string | undefined;
  afterAll(() => consumer && rmSync(consumer, { recursive: true, force: true }));

  it(`of the packed package is at most ${MAX_MB} MB, runs the quickstart, and has generate name its missing tools`, () => {
    consumer = mkdtempSync(join(tmpdir(), 'polystore-consumer-'));
    const { megabytes } = consumerSize(consumer, { withTools: false });
    console.log(`polystore: npm install --omit=dev of the packed package: ${megabytes.toFixed(1)} MB of node_modules`);
    expect(megabytes).toBeLessThanOrEqual(MAX_MB);

    // The quickstart runs with none of the generator's tools: the repository's generated facade and migrations,
    // loaded by jiti (a runtime dependency, as the CLI loads them), on the embedded PGlite.
    for (const folder of ['generated', 'drizzle', 'examples']) cpSync(new URL(folder, root), join(consumer, folder), { recursive: true });
    writeFileSync(join(consumer, 'start.mjs'), "const { createJiti } = await import('jiti');\nawait createJiti(import.meta.url).import('./examples/quickstart.ts');\n");
    expect(execFileSync(process.execPath, ['start.mjs'], { cwd: consumer, encoding: 'utf8' })).toContain('team-a holds 3 chunks; team-b cannot see them.');

    // generate says what to install, exactly.
    writeFileSync(join(consumer, 'schema.ts'), "import { defineSchema } from 'polystore';\nexport default defineSchema({});\n");
    const generate = spawnSync(process.execPath, [join(consumer, 'node_modules/polystore/bin/polystore.js'), 'generate', '--schema', 'schema.ts'], { cwd: consumer, encoding: 'utf8' });
    expect(generate.status).toBe(1);
    const peers = manifest.peerDependencies;
    expect(generate.stderr.trim()).toBe(
      `polystore: generate needs drizzle-kit, prettier, ts-morph, prisma, @prisma/client, not installed: npm install --save-dev drizzle-kit@${peers['drizzle-kit']} prettier@${peers.prettier} ts-morph@${peers['ts-morph']} prisma@${peers.prisma} && npm install @prisma/client@${peers.prisma} (or --no-prisma-client, to write prisma/schema.prisma without generating its client)`,
    );
  }, 300_000);
});
