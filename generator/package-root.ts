import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The polystore package's folder, from source (generator/) or from dist/generator/. */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(join(dir, 'package.json')) && JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).name === 'polystore')) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('internal: polystore package.json not found');
    dir = parent;
  }
  return dir;
})();
