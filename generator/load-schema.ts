import { resolve } from 'node:path';
import { PolystoreError } from '../src/errors.js';
import type { SchemaDef } from '../src/schema/define.js';
import { importDefault, readConfig } from '../src/schema/read-config.js';

export const DEFAULT_SCHEMA = 'schema/index.ts';

/**
 * Finds the schema: `--schema` when given, else polystore.config.ts in `cwd`
 * when present, else schema/index.ts. Returns it with the output root the
 * config names (if any).
 */
export async function loadSchema(cwd: string, schemaFlag?: string): Promise<{ schema: SchemaDef; configOut?: string }> {
  if (schemaFlag) return { schema: await schemaModule(resolve(cwd, schemaFlag)) };
  const found = await readConfig(cwd);
  if (!found) return { schema: await schemaModule(resolve(cwd, DEFAULT_SCHEMA)) };
  const { config, base } = found;
  const schema = typeof config.schema === 'string' ? await schemaModule(resolve(base, config.schema)) : config.schema;
  return { schema, ...(config.out !== undefined ? { configOut: resolve(base, config.out) } : {}) };
}

async function schemaModule(path: string): Promise<SchemaDef> {
  const schema = await importDefault<unknown>(path, 'schema');
  if (!schema || typeof schema !== 'object') {
    throw new PolystoreError('SCHEMA_INVALID', `${path} must export default defineSchema({ documents, tables, vectors })`);
  }
  return schema as SchemaDef;
}
