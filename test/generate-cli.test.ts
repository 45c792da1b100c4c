import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { describe, expect, it } from 'vitest';
import { polystore, readTree, repoRoot, scratchDir } from './helpers/cli.js';

const fixture = join(repoRoot, 'test/fixtures/small-schema.ts');
const noClient = '--no-prisma-client';

describe('polystore generate', () => {
  it.each([[[]], [['--schema', 'test/fixtures/runtime/schema.ts', '--out', 'test/fixtures/runtime']], [['--schema', 'test/fixtures/relational/schema.ts', '--out', 'test/fixtures/relational']]])(
    '--check passes on committed output: %j',
    (args) => {
      const result = polystore(['generate', '--check', ...args]);
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain('up to date');
    },
  );

  it('is deterministic: two runs give byte-identical trees, and a rerun writes nothing', () => {
    const [a, b] = [scratchDir(), scratchDir()];
    expect(polystore(['generate', '--schema', fixture, '--out', a, noClient]).status).toBe(0);
    expect(polystore(['generate', '--schema', fixture, '--out', b, noClient]).status).toBe(0);
    expect(readTree(a)).toEqual(readTree(b));
    const again = polystore(['generate', '--schema', fixture, '--out', a, noClient]);
    expect(again.stdout).toContain('nothing changed');
  });

  it('--check lists every stale file, exits 1 and writes nothing', () => {
    const out = scratchDir();
    polystore(['generate', '--schema', fixture, '--out', out, noClient]);
    writeFileSync(join(out, 'generated/index.ts'), '// edited by hand\n');
    const schema = join(out, 'schema.ts');
    writeFileSync(schema, readFileSync(fixture, 'utf8').replace("published: f.boolean(),", "published: f.boolean(),\n        rank: f.int().optional(),"));
    const before = readTree(out);
    const result = polystore(['generate', '--check', '--schema', schema, '--out', out]);
    expect(result.status).toBe(1);
    expect(result.stderr.split('\n').filter((line) => line.startsWith('  ')).map((line) => line.trim())).toEqual([
      'drizzle/schema.ts',
      'generated/vectors.ts',
      'generated/milvus.ts',
      'generated/index.ts',
      'drizzle/0001_update.sql',
      'drizzle/down/0001_update.sql',
      'drizzle/meta/0001_snapshot.json',
      'drizzle/meta/_journal.json',
    ]);
    expect(readTree(out)).toEqual(before);
  });

  it('adds a migration when the schema changes, which drizzle-orm applies on top of the first', async () => {
    const out = scratchDir();
    polystore(['generate', '--schema', fixture, '--out', out, noClient]);
    const schema = join(out, 'schema.ts');
    writeFileSync(schema, readFileSync(fixture, 'utf8').replace("published: f.boolean(),", "published: f.boolean(),\n        rank: f.int().optional().index(),"));
    const result = polystore(['generate', '--schema', schema, '--out', out, '--name', 'add_rank', noClient]);
    expect(result.status).toBe(0);
    expect(readFileSync(join(out, 'drizzle/0001_add_rank.sql'), 'utf8')).toBe(
      'ALTER TABLE "passages" ADD COLUMN "rank" integer;\n--> statement-breakpoint\nCREATE INDEX "passages_rank_idx" ON "passages" USING btree ("rank");\n',
    );
    const client = new PGlite({ extensions: { vector } });
    try {
      await migrate(drizzle({ client }), { migrationsFolder: join(out, 'drizzle') });
      const applied = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations');
      expect(applied.rows[0].n).toBe(2);
      // The fixture's partitioned table, unique partial index and HNSW index on a plain table all exist.
      const indexes = await client.query<{ indexname: string }>("SELECT indexname FROM pg_indexes WHERE tablename IN ('page_views', 'passages') ORDER BY 1");
      expect(indexes.rows.map((row) => row.indexname)).toEqual([
        'page_views_embedding_hnsw',
        'page_views_pkey',
        'page_views_post_id_viewed_at_key',
        'passages_embedding_ivfflat',
        'passages_lang_idx',
        'passages_pkey',
        'passages_position_idx',
        'passages_rank_idx',
      ]);
      await client.query("INSERT INTO page_views (post_id, viewed_at, country) VALUES ('p', '2025-12-02', $1)", ["O'Hare"]);
      const part = await client.query<{ part: string }>('SELECT tableoid::regclass::text AS part FROM page_views');
      expect(part.rows[0].part).toBe('page_views_y2025m12');
    } finally {
      await client.close();
    }
  });

  it('rejects an invalid schema with every problem listed, and writes nothing', () => {
    const out = scratchDir();
    const schema = join(out, 'bad-schema.ts');
    writeFileSync(
      schema,
      `import { defineSchema, document, f, vectorCollection } from 'polystore';
export default defineSchema({
  documents: { User: document({ fields: { team: f.ref('Tem') } }) },
  vectors: { chunks: vectorCollection({ dimension: 5000, metric: 'cosine', index: { type: 'hnsw', m: 200 }, fields: {} }) },
});
`,
    );
    const result = polystore(['generate', '--schema', schema, '--out', out]);
    expect(result.status).toBe(1);
    // One line, as every CLI failure.
    expect(result.stderr).toBe(
      `${[
        'polystore: The schema has 3 problems:',
        '- documents.User.fields.team: unknown reference "Tem"',
        '- vectors.chunks.dimension: dimension must be an integer from 1 to 4000, got 5000: pgvector indexes at most 2000 dimensions as vector and 4000 as halfvec; use index type "flat" (exact search) for more',
        '- vectors.chunks.index.m: HNSW m must be an integer from 2 to 100, got 200',
      ].join(' ')}\n`,
    );
    expect(readdirSync(out)).toEqual(['bad-schema.ts']);
  });

  it('refuses a table named like a partition of a partitioned table, and writes nothing', () => {
    const out = scratchDir();
    const schema = join(out, 'schema.ts');
    writeFileSync(
      schema,
      `import { col, defineSchema, table } from 'polystore';
const columns = { id: col.bigserial(), at: col.timestamp().notNull() };
export default defineSchema({
  tables: {
    ev: table({ columns, primaryKey: ['id', 'at'], partitionBy: { column: 'at', interval: 'month', from: '2026-01', count: 1 } }),
    ev_default: table({ columns, primaryKey: ['id', 'at'] }),
  },
});
`,
    );
    const result = polystore(['generate', '--schema', schema, '--out', out]);
    expect(result.stderr).toBe('polystore: The schema has 1 problem: - tables.ev_default: "ev_default" is the name of a partition of table "ev"\n');
    expect(result.status).toBe(1);
    expect(readdirSync(out)).toEqual(['schema.ts']);
  });

  it('says which collections pgvector stores as halfvec (float16)', () => {
    const result = polystore(['generate', '--check', '--schema', 'test/fixtures/runtime/schema.ts', '--out', 'test/fixtures/runtime', '--no-prisma-client']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('polystore: note: vectors.wide: 2048 indexed dimensions are stored as halfvec: float16 elements');
    expect(result.stdout).not.toContain('vectors.notes');
  });

  it('says plainly when the schema file is missing or does not load', () => {
    const out = scratchDir();
    const missing = polystore(['generate', '--schema', 'nope.ts'], { cwd: out });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toBe(`polystore: schema not found: ${join(out, 'nope.ts')}\n`);
    writeFileSync(join(out, 'broken.ts'), 'export default {;\n');
    const broken = polystore(['generate', '--schema', 'broken.ts'], { cwd: out });
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain(`polystore: could not load ${join(out, 'broken.ts')}`);
  });

  it('a polystore.config.ts that does not load is one line: a syntax error, a missing module, a message of lines, a non-Error', () => {
    const dir = scratchDir();
    const config = join(dir, 'polystore.config.ts');
    const cases: Array<[string, string]> = [
      ['export default { schema: \n', 'ParseError: Unexpected token'],
      ["import schema from './nope.js';\nexport default { schema };\n", "Cannot find module './nope.js'"],
      ['throw new Error("boom\\nsecond line");\n', 'boom second line'],
      ['class Oops { code = 7 }\nthrow new Oops();\n', 'Oops {"code":7}'],
    ];
    for (const [text, words] of cases) {
      writeFileSync(config, text);
      const result = polystore(['migrate', 'status'], { cwd: dir });
      expect({ text, status: result.status, stderr: result.stderr }).toEqual({ text, status: 1, stderr: expect.stringMatching(/^polystore: could not load [^\n]+\n$/) });
      expect(result.stderr).toContain(`${config}: ${words}`);
      expect(result.stderr).not.toContain('Require stack');
    }
  });

  it('--pglite-dir naming a file is one line saying so', () => {
    const result = polystore(['migrate', 'status', '--out', 'test/fixtures/runtime', '--pglite-dir', '/etc/passwd']);
    expect(result).toMatchObject({ status: 1, stderr: 'polystore: --pglite-dir: /etc/passwd is not a directory\n' });
  });

  it('reads polystore.config.ts when present: its schema and its output root', () => {
    const dir = scratchDir();
    copyFileSync(fixture, join(dir, 'model.ts'));
    writeFileSync(join(dir, 'polystore.config.ts'), "import { defineConfig } from 'polystore';\nexport default defineConfig({ schema: './model.ts', out: 'out' });\n");
    const result = polystore(['generate', noClient], { cwd: dir });
    expect(result.status).toBe(0);
    expect(existsSync(join(dir, 'out/generated/index.ts'))).toBe(true);
    expect(polystore(['generate', '--check'], { cwd: dir }).status).toBe(0);
  });

  it('refuses a bad migration name before doing anything', () => {
    const result = polystore(['generate', '--name', 'Bad Name']);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("option '--name <name>' argument 'Bad Name' is invalid. use 1 to 40 of a-z, 0-9 and _");
  });

  it('leaves drizzle-kit itself nothing to migrate: it reads drizzle/schema.ts and agrees with the snapshots', () => {
    const out = scratchDir();
    cpSync(join(repoRoot, 'drizzle'), join(out, 'drizzle'), { recursive: true });
    const kit = spawnSync(
      process.execPath,
      // drizzle-kit mishandles an absolute --out ('.//tmp/…'): give it a relative one.
      [join(repoRoot, 'node_modules/drizzle-kit/bin.cjs'), 'generate', '--dialect', 'postgresql', '--schema', 'drizzle/schema.ts', '--out', relative(repoRoot, join(out, 'drizzle'))],
      { cwd: repoRoot, encoding: 'utf8' },
    );
    expect(kit.status).toBe(0);
    expect(kit.stdout).toContain('embeddings 12 columns 9 indexes');
    expect(kit.stdout).toContain('No schema changes, nothing to migrate');
    expect(readTree(join(out, 'drizzle'))).toEqual(readTree(join(repoRoot, 'drizzle')));
  });
});
