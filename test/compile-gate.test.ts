import { fileURLToPath } from 'node:url';
import { ModuleKind, ModuleResolutionKind, Project, ScriptTarget } from 'ts-morph';
import { beforeAll, describe, expect, it } from 'vitest';
import smallSchema from './fixtures/small-schema.js';
import { compileGate } from '../generator/compile-gate.js';
import { emitFiles } from '../generator/generate.js';
import { parseSchema } from '../generator/parse/index.js';

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

  // The gate parses every declaration polystore/runtime reaches: the Milvus SDK's, gRPC's and Node's would double its time.
  it("reads none of the Milvus SDK's declarations through polystore/runtime's", () => {
    const project = new Project({
      skipAddingFilesFromTsConfig: true,
      compilerOptions: { module: ModuleKind.ESNext, moduleResolution: ModuleResolutionKind.Bundler, target: ScriptTarget.ES2022, types: [] },
    });
    project.addSourceFileAtPath(fileURLToPath(new URL('../dist/src/facade/index.d.ts', import.meta.url)));
    const reached = project.getProgram().compilerObject.getSourceFiles().map((file) => file.fileName);
    expect(reached.some((path) => path.endsWith('/dist/src/runtime/contract/vector-store.d.ts'))).toBe(true);
    expect(reached.filter((path) => /node_modules\/(@zilliz|@grpc|@types\/node)\//.test(path))).toEqual([]);
  });
});
