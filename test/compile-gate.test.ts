import { beforeAll, describe, expect, it } from 'vitest';
import { compileGate } from '../generator/compile-gate.js';
import { emitFiles } from '../generator/generate.js';
import { parseSchema } from '../generator/parse/index.js';
import smallSchema from './fixtures/small-schema.js';

describe('compile gate', () => {
  let files = new Map<string, string>();
  beforeAll(async () => {
    files = await emitFiles(parseSchema(smallSchema));
  });

  it('accepts what the emitters produce', () => {
    expect(() => compileGate(files)).not.toThrow();
  });

  it('rejects generated TypeScript that does not compile, naming the file and the error', () => {
    const broken = new Map(files);
    broken.set('generated/vectors.ts', files.get('generated/vectors.ts')!.replace('embedding: number[];', 'embedding: NumberArray;'));
    expect(() => compileGate(broken)).toThrowError(/does not compile; nothing was written[\s\S]*generated\/vectors\.ts[\s\S]*TS2304: Cannot find name 'NumberArray'/);
  });
});
