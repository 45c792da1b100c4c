import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PolystoreError } from '../src/errors.js';
import type { SchemaDef } from '../src/schema/define.js';
import { GENERATIONS_FILE, generationsText, readGenerations } from '../src/schema/embedding-generations.js';
import { compileGate } from './compile-gate.js';
import { documentTypesStructure } from './emit/documents.js';
import { drizzleSchemaStructure } from './emit/drizzle-schema.js';
import { facadeStructure, tableTypesStructure } from './emit/facade.js';
import { milvusSpecsStructure } from './emit/milvus.js';
import { mongoSpecsStructure } from './emit/mongodb.js';
import { emitPrismaSchema } from './emit/prisma.js';
import { vectorTypesStructure } from './emit/vectors.js';
import { formatTypeScript } from './format.js';
import type { SchemaIR } from './ir.js';
import { planMigration } from './migrations.js';
import { parseSchema } from './parse/index.js';

export interface GenerateOptions {
  /** Root under which prisma/, drizzle/ and generated/ are written. */
  out: string;
  /** Write nothing; report the files that differ from what would be generated. */
  check?: boolean;
  /** Run `prisma generate` after writing (default true). */
  prismaClient?: boolean;
  /** Suffix of a new migration's name. */
  migrationName?: string;
  /** Journal time of a new migration, in ms. */
  now?: number;
}

export interface GenerateResult {
  /** Paths, relative to `out`, that were written (or, with `check`, that are stale). */
  changed: string[];
  /** What a user should know of the output: each collection stored as halfvec (float16); a skipped prisma generate. */
  notes: string[];
}

/** Collections whose vectors pgvector stores at half precision, said at every generate. */
const halfvecNotes = (ir: SchemaIR): string[] =>
  ir.vectors
    .filter((vector) => vector.storage === 'halfvec')
    .map((vector) => `vectors.${vector.name}: ${vector.dimension} indexed dimensions are stored as halfvec: float16 elements (about 3 significant digits, at most ±65,504), on Milvus too`);

/** Every file the schema determines, keyed by path relative to the output root. */
export async function emitFiles(ir: SchemaIR): Promise<Map<string, string>> {
  const typescript = {
    'drizzle/schema.ts': drizzleSchemaStructure(ir),
    'generated/documents.ts': documentTypesStructure(ir),
    'generated/tables.ts': tableTypesStructure(ir),
    'generated/vectors.ts': vectorTypesStructure(ir),
    'generated/milvus.ts': milvusSpecsStructure(ir),
    'generated/mongodb.ts': mongoSpecsStructure(ir),
    'generated/index.ts': facadeStructure(ir),
  };
  const files = new Map<string, string>([['prisma/schema.prisma', emitPrismaSchema(ir)]]);
  for (const [path, structure] of Object.entries(typescript)) files.set(path, await formatTypeScript(structure));
  return files;
}

/** parse → intermediate form → emit → compile gate → migrations → write (or compare). */
export async function generate(schema: SchemaDef, options: GenerateOptions): Promise<GenerateResult> {
  const ir = parseSchema(schema, readGenerations(join(options.out, 'drizzle')));
  const files = await emitFiles(ir);
  compileGate(files);
  const migrations = await planMigration(ir, files.get('drizzle/schema.ts')!, join(options.out, 'drizzle'), {
    name: options.migrationName,
    now: options.now,
  });
  for (const [path, text] of migrations.files) files.set(`drizzle/${path}`, text);
  const generations = Object.fromEntries(ir.vectors.flatMap((vector) => (vector.embedding ? [[vector.name, vector.embedding.recorded]] : [])));
  if (Object.keys(generations).length > 0) files.set(`drizzle/${GENERATIONS_FILE}`, generationsText(generations));

  const changed = [...files].filter(([path, text]) => !sameFile(join(options.out, path), text)).map(([path]) => path);
  const notes = [...halfvecNotes(ir), ...migrations.notes.map((note) => `drizzle/${note}`)];
  if (options.check) return { changed, notes };
  for (const path of changed) {
    const target = join(options.out, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, files.get(path)!);
  }
  const prisma = files.get('prisma/schema.prisma')!;
  // prisma generate takes seconds: it runs only when the client was not generated from this very schema.
  if ((options.prismaClient ?? true) && clientSchema(options.out) !== prisma) runPrismaGenerate(join(options.out, 'prisma/schema.prisma'));
  else if (options.prismaClient ?? true) notes.push('the Prisma client was generated from this prisma/schema.prisma already: prisma generate skipped');
  return { changed, notes };
}

function sameFile(path: string, text: string): boolean {
  return existsSync(path) && readFileSync(path, 'utf8') === text;
}

/** The schema the Prisma client that `out` resolves was generated from (prisma generate keeps a copy beside it). */
function clientSchema(out: string): string | undefined {
  try {
    const client = dirname(createRequire(join(out, 'package.json')).resolve('@prisma/client/package.json'));
    return readFileSync(join(client, '../../.prisma/client/schema.prisma'), 'utf8');
  } catch {
    return undefined;
  }
}

function runPrismaGenerate(schemaPath: string): void {
  const prisma = join(dirname(createRequire(import.meta.url).resolve('prisma/package.json')), 'build/index.js');
  const result = spawnSync(process.execPath, [prisma, 'generate', '--schema', schemaPath], { encoding: 'utf8', env: { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1' } });
  if (result.status !== 0) {
    throw new PolystoreError('PRISMA_GENERATE_FAILED', `prisma generate failed (the schema files were written):\n${result.stderr || result.stdout}`);
  }
}
