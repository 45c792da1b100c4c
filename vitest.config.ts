import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run the sources; the CLI tests run the build (npm test builds first).
    alias: [
      { find: /^polystore\/runtime$/, replacement: src('./src/facade/index.ts') },
      { find: /^polystore$/, replacement: src('./src/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    // test/.tmp holds the suites' scratch projects (and throwaway attack scripts): never a suite of its own.
    exclude: ['test/.tmp/**', '**/node_modules/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: PGlite instances and child processes are heavy.
    maxWorkers: 2,
  },
});
