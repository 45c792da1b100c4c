import { describe, expect, it } from 'vitest';
import { emitFiles } from '../generator/generate.js';
import { parseSchema } from '../generator/parse/index.js';
import smallSchema from './fixtures/small-schema.js';

// Each emitter's output, compared byte for byte with committed golden files. (The repository's own schema is
// covered by `polystore generate --check` on the committed prisma/, drizzle/ and generated/.)
describe('emitters on the small fixture schema', () => {
  const files = emitFiles(parseSchema(smallSchema));

  it.each(['prisma/schema.prisma', 'drizzle/schema.ts', 'generated/documents.ts', 'generated/tables.ts', 'generated/vectors.ts', 'generated/milvus.ts', 'generated/mongodb.ts', 'generated/index.ts'])(
    '%s',
    async (path) => {
      await expect((await files).get(path)).toMatchFileSnapshot(`golden/small/${path}`);
    },
  );
});
