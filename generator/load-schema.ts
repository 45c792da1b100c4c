import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createJiti } from 'jiti';
import { PolystoreError } from '../src/errors.js';
import type { PolystoreConfig } from '../src/schema/config.js';
import type { SchemaDef } from '../src/schema/define.js';

export const CONFIG_FILE = 'polystore.config.ts';
export const DEFAULT_SCHEMA = 'schema/index.ts';

const jiti = createJiti(import.meta.url, { fsCache: false, moduleCache: false, interopDefault: true });

async function importDefault(path: string, what: string): Promise<unknown> {
  if (!existsSync(path)) throw new PolystoreError('SCHEMA_NOT_FOUND', `${what} not found: ${path}`);
  try {
    return await jiti.import(path, { default: true });
  } catch (error) {
    throw new PolystoreError('SCHEMA_LOAD_FAILED', `could not load ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Finds the schema: `--schema` when given, else polystore.config.ts in `cwd`
 * when present, else schema/index.ts. Returns it with the output root the
 * config names (if any).
 */
export async function loadSchema(cwd: string, schemaFlag?: string): Promise<{ schema: SchemaDef; configOut?: string }> {
  if (schemaFlag) return { schema: await schemaModule(resolve(cwd, schemaFlag)) };
  const configPath = resolve(cwd, CONFIG_FILE);
  if (!existsSync(configPath)) return { schema: await schemaModule(resolve(cwd, DEFAULT_SCHEMA)) };
  const config = (await importDefault(configPath, 'config')) as PolystoreConfig | undefined;
  if (!config || typeof config !== 'object' || !('schema' in config)) {
    throw new PolystoreError('CONFIG_INVALID', `${CONFIG_FILE} must export default defineConfig({ schema, out? })`);
  }
  const base = dirname(configPath);
  const schema = typeof config.schema === 'string' ? await schemaModule(resolve(base, config.schema)) : config.schema;
  return { schema, ...(config.out !== undefined ? { configOut: resolve(base, config.out) } : {}) };
}

async function schemaModule(path: string): Promise<SchemaDef> {
  const schema = await importDefault(path, 'schema');
  if (!schema || typeof schema !== 'object') {
    throw new PolystoreError('SCHEMA_INVALID', `${path} must export default defineSchema({ documents, tables, vectors })`);
  }
  return schema as SchemaDef;
}
