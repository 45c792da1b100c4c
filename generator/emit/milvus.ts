import { type SourceFileStructure, StructureKind, VariableDeclarationKind } from 'ts-morph';
import type { SchemaIR } from '../ir.js';
import { GENERATED_HEADER } from './header.js';
import { tsLiteral } from './ts-literal.js';
import { milvusSpecName } from './vectors.js';

/** generated/milvus.ts: one collection spec per vector collection, whatever its default backend. */
export function milvusSpecsStructure(ir: SchemaIR): SourceFileStructure {
  return {
    kind: StructureKind.SourceFile,
    leadingTrivia: GENERATED_HEADER,
    statements: [
      { kind: StructureKind.ImportDeclaration, isTypeOnly: true, moduleSpecifier: 'polystore/runtime', namedImports: ['MilvusCollectionSpec'] },
      ...ir.vectors.map((vector) => ({
        kind: StructureKind.VariableStatement as const,
        isExported: true,
        declarationKind: VariableDeclarationKind.Const,
        docs: [`Milvus collection "${vector.name}": createCollection fields, then createIndex for each index.`],
        declarations: [{ name: milvusSpecName(vector), type: 'MilvusCollectionSpec', initializer: tsLiteral(vector.milvus) }],
      })),
    ],
  };
}
