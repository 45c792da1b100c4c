/** polystore.config.ts and the modules it names, loaded from TypeScript source. */
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createJiti } from 'jiti';
import { messageOf, oneLine, PolystoreError } from '../errors.js';
import type { PolystoreConfig } from './config.js';

export const CONFIG_FILE = 'polystore.config.ts';

const jiti = createJiti(import.meta.url, { fsCache: false, moduleCache: false, interopDefault: true });

export async function importDefault<T>(path: string, what: string): Promise<T> {
  if (!existsSync(path)) throw new PolystoreError('SCHEMA_NOT_FOUND', `${what} not found: ${path}`);
  try {
    return await jiti.import<T>(path, { default: true });
  } catch (error) {
    // Node's list of the modules that required a missing one names the file already named here.
    const message = messageOf(error).split(/\s*Require stack:/)[0];
    throw new PolystoreError('SCHEMA_LOAD_FAILED', `could not load ${path}: ${oneLine(message)}`, { cause: error });
  }
}

/** polystore.config.ts of `cwd` (undefined when there is none), with the folder its relative paths start from. */
export async function readConfig(cwd: string): Promise<{ config: PolystoreConfig; base: string } | undefined> {
  const path = resolve(cwd, CONFIG_FILE);
  if (!existsSync(path)) return undefined;
  const config = await importDefault<PolystoreConfig | undefined>(path, 'config');
  if (!config || typeof config !== 'object' || !('schema' in config)) {
    throw new PolystoreError('CONFIG_INVALID', `${CONFIG_FILE} must export default defineConfig({ schema, out?, connections? })`);
  }
  return { config, base: dirname(path) };
}
