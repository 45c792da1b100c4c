/** The `polystore generate` command: loads the schema, generates, and reports what changed. */
import { resolve } from 'node:path';
import { requireGeneratorTools } from './generator-tools.js';
import { loadSchema } from './load-schema.js';

export interface GenerateFlags {
  schema?: string;
  out?: string;
  check?: boolean;
  prismaClient: boolean;
  name?: string;
}

export async function runGenerate(flags: GenerateFlags): Promise<void> {
  const cwd = process.cwd();
  const { schema, configOut } = await loadSchema(cwd, flags.schema);
  const out = flags.out ? resolve(cwd, flags.out) : (configOut ?? cwd);
  requireGeneratorTools(flags.prismaClient && !flags.check);
  // Loaded once the tools are known to be there: an import of a missing one would name no package to install.
  const { generate } = await import('./generate.js');
  const epoch = Number(process.env.SOURCE_DATE_EPOCH);
  const { changed, notes } = await generate(schema, {
    out,
    check: flags.check,
    prismaClient: flags.prismaClient,
    migrationName: flags.name,
    ...(Number.isFinite(epoch) && epoch > 0 ? { now: epoch * 1000 } : {}),
  });
  for (const note of notes) console.log(`polystore: note: ${note}`);
  if (flags.check) {
    if (changed.length === 0) return void console.log('polystore: generated files are up to date.');
    console.error(`polystore: ${changed.length} generated file(s) differ from the schema; run \`polystore generate\`:`);
    for (const path of changed) console.error(`  ${path}`);
    process.exitCode = 1;
    return;
  }
  console.log(changed.length === 0 ? 'polystore: nothing changed.' : `polystore: wrote ${changed.length} file(s):\n${changed.map((p) => `  ${p}`).join('\n')}`);
}
