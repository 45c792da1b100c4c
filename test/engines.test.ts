// `npm install polystore` on the Node versions package.json declares must not warn EBADENGINE: every package the
// installed library pulls in (the lockfile's non-dev packages) supports them.
import { readFileSync } from 'node:fs';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const root = new URL('../', import.meta.url);
const read = (path: string) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));

describe('package engines', () => {
  it('every production dependency supports the Node versions polystore declares', () => {
    const declared: string = read('package.json').engines.node;
    const lock = read('package-lock.json') as { packages: Record<string, { dev?: boolean; engines?: { node?: string } }> };
    const unsupported = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && !entry.dev && entry.engines?.node !== undefined)
      .filter(([, entry]) => !semver.subset(declared, entry.engines!.node!, { includePrerelease: false }))
      .map(([path, entry]) => `${path.replace(/^.*node_modules\//, '')} needs node ${entry.engines!.node}`);
    expect(unsupported).toEqual([]);
  });
});
