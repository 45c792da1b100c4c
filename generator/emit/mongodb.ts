import { type SourceFileStructure, StructureKind, VariableDeclarationKind } from 'ts-morph';
import type { SchemaIR } from '../ir.js';
import { documentIndexes } from '../parse/document-indexes.js';
import { GENERATED_HEADER } from './header.js';
import { tsLiteral } from './ts-literal.js';

/** generated/mongodb.ts: each document model's collection and indexes, for `polystore migrate`. */
export function mongoSpecsStructure(ir: SchemaIR): SourceFileStructure {
  const specs = ir.documents.map((doc) => ({
    model: doc.name,
    collection: doc.collection ?? doc.name,
    indexes: documentIndexes(doc).map(({ origin: _, ...index }) => index),
  }));
  return {
    kind: StructureKind.SourceFile,
    leadingTrivia: GENERATED_HEADER,
    statements: [
      { kind: StructureKind.ImportDeclaration, isTypeOnly: true, moduleSpecifier: 'polystore/runtime', namedImports: ['MongoCollectionSpec'] },
      {
        kind: StructureKind.VariableStatement,
        isExported: true,
        declarationKind: VariableDeclarationKind.Const,
        docs: ["The documents' MongoDB collections and their indexes, named as prisma/schema.prisma names them."],
        declarations: [{ name: 'mongoCollections', type: 'MongoCollectionSpec[]', initializer: tsLiteral(specs) }],
      },
    ],
  };
}
