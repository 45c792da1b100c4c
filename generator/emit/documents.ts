import { type SourceFileStructure, StructureKind } from 'ts-morph';
import type { DocFieldIR, DocTypeIR, SchemaIR } from '../ir.js';
import { GENERATED_HEADER } from './header.js';
import { enumUnion, SCALAR_TS_TYPE } from './ts-types.js';

/** generated/documents.ts: the shape of each MongoDB document, as Prisma returns it. */
export function documentTypesStructure(ir: SchemaIR): SourceFileStructure {
  const usesJson = ir.documents.some((doc) => doc.fields.some((field) => mentionsJson(field.type)));
  return {
    kind: StructureKind.SourceFile,
    leadingTrivia: GENERATED_HEADER,
    statements: [
      ...(usesJson ? [{ kind: StructureKind.ImportDeclaration as const, isTypeOnly: true, moduleSpecifier: 'polystore/runtime', namedImports: ['JsonValue'] }] : []),
      ...ir.documents.map((doc) => ({
        kind: StructureKind.Interface as const,
        name: doc.name,
        isExported: true,
        docs: [`A document of ${doc.collection ? `the "${doc.collection}" collection` : `the ${doc.name} collection`} (MongoDB).`],
        properties: [
          { name: 'id', type: 'string' },
          ...doc.fields.map((field) => ({ name: field.name, type: fieldType(field), hasQuestionToken: field.optional })),
          ...(doc.timestamps ? [{ name: 'createdAt', type: 'Date' }, { name: 'updatedAt', type: 'Date' }] : []),
        ],
      })),
    ],
  };
}

function fieldType(field: DocFieldIR): string {
  const type = tsType(field.type);
  return field.optional ? `${type} | null` : type;
}

function tsType(type: DocTypeIR): string {
  switch (type.kind) {
    case 'ref':
      return 'string';
    case 'enum':
      return enumUnion(type.values);
    case 'object':
      return `{ ${type.fields.map((field) => `${field.name}${field.optional ? '?' : ''}: ${fieldType(field)};`).join(' ')} }`;
    case 'array':
      return `Array<${tsType(type.of)}>`;
    default:
      return SCALAR_TS_TYPE[type.kind];
  }
}

function mentionsJson(type: DocTypeIR): boolean {
  if (type.kind === 'json') return true;
  if (type.kind === 'array') return mentionsJson(type.of);
  return type.kind === 'object' && type.fields.some((field) => mentionsJson(field.type));
}
