import { type SourceFileStructure, StructureKind, VariableDeclarationKind } from 'ts-morph';
import type { SchemaIR, VectorCollectionIR, VectorFieldIR } from '../ir.js';
import { pascalCase } from '../parse/names.js';
import { milvusCollectionOf } from '../../src/schema/embedding-generations.js';
import { GENERATED_HEADER } from './header.js';
import { tsLiteral } from './ts-literal.js';
import { enumUnion, SCALAR_TS_TYPE } from './ts-types.js';

export const recordTypeName = (vector: VectorCollectionIR) => `${pascalCase(vector.name)}Record`;
export const whereTypeName = (vector: VectorCollectionIR) => `${pascalCase(vector.name)}Where`;
export const descriptorName = (vector: VectorCollectionIR) => `${vector.table.exportName}Collection`;
export const milvusSpecName = (vector: VectorCollectionIR) => `${vector.table.exportName}Milvus`;

const FILTER: Record<VectorFieldIR['type']['kind'], string> = {
  string: 'StringFilter',
  int: 'NumberFilter',
  float: 'NumberFilter',
  boolean: 'BooleanFilter',
  datetime: 'DateFilter',
  json: 'JsonFilter',
  enum: 'EnumFilter',
};

/** generated/vectors.ts: record and filter types, and the descriptor the runtime reads, for each vector collection. */
export function vectorTypesStructure(ir: SchemaIR): SourceFileStructure {
  const filters = new Set(['StringFilter', ...ir.vectors.flatMap((vector) => vector.fields.map((field) => FILTER[field.type.kind]))]);
  const usesJson = ir.vectors.some((vector) => vector.fields.some((field) => field.type.kind === 'json'));
  return {
    kind: StructureKind.SourceFile,
    leadingTrivia: GENERATED_HEADER,
    statements: [
      {
        kind: StructureKind.ImportDeclaration,
        isTypeOnly: true,
        moduleSpecifier: 'polystore/runtime',
        namedImports: [...filters, ...(usesJson ? ['JsonValue'] : []), 'VectorCollectionDescriptor', 'WhereCombinators'].sort(),
      },
      ...(ir.vectors.length === 0
        ? []
        : [
            { kind: StructureKind.ImportDeclaration as const, moduleSpecifier: '../drizzle/schema.js', namedImports: ir.vectors.map((vector) => vector.table.exportName) },
            { kind: StructureKind.ImportDeclaration as const, moduleSpecifier: './milvus.js', namedImports: ir.vectors.map(milvusSpecName) },
          ]),
      ...ir.vectors.flatMap((vector) => collectionStatements(vector)),
    ],
  };
}

function collectionStatements(vector: VectorCollectionIR) {
  const optional = (field: VectorFieldIR) => ({ hasQuestionToken: field.optional });
  return [
    {
      kind: StructureKind.Interface as const,
      name: recordTypeName(vector),
      isExported: true,
      docs: [`A record of the "${vector.name}" vector collection (${vector.dimension} dimensions, ${vector.metric}${vector.embedding ? `; ${vector.embedding.model}` : ''}).`],
      properties: [
        { name: 'id', type: 'string' },
        // `| undefined` on optional members: they compile under exactOptionalPropertyTypes too.
        ...vector.fields.map((field) => ({ name: field.name, type: valueType(field) + (field.optional ? ' | null | undefined' : ''), ...optional(field) })),
        { name: 'embedding', type: 'number[]' },
      ],
    },
    {
      kind: StructureKind.Interface as const,
      name: whereTypeName(vector),
      isExported: true,
      docs: [`A filter on "${vector.name}": fields combine with AND; AND, OR and NOT take lists of filters.`],
      extends: [`WhereCombinators<${whereTypeName(vector)}>`],
      properties: [
        { name: 'id', type: 'StringFilter | undefined', hasQuestionToken: true },
        ...vector.fields.map((field) => ({ name: field.name, type: `${filterType(field)}${field.optional ? ' | null' : ''} | undefined`, hasQuestionToken: true })),
      ],
    },
    {
      kind: StructureKind.VariableStatement as const,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      declarations: [
        {
          name: descriptorName(vector),
          type: `VectorCollectionDescriptor<typeof ${vector.table.exportName}>`,
          initializer: `{
            name: ${tsLiteral(vector.name)},
            backend: ${tsLiteral(vector.backend)},
            dimension: ${vector.dimension},
            metric: ${tsLiteral(vector.metric)},
            indexType: ${tsLiteral(vector.indexType)},
            indexParams: ${tsLiteral(vector.indexParams)},
            storage: ${tsLiteral(vector.storage)},
            ${vector.tenant ? `tenant: ${tsLiteral(vector.tenant)},` : ''}${vector.fullText ? `fullText: ${tsLiteral(vector.fullText)},` : ''}
            fields: ${tsLiteral(vector.fields.map(descriptorField))},
            table: ${vector.table.exportName},
            milvus: ${milvusSpecName(vector)},
            ${vector.embedding ? `embedding: ${tsLiteral(embeddingDescriptor(vector))},` : ''}
          }`,
        },
      ],
    },
  ];
}

function embeddingDescriptor(vector: VectorCollectionIR) {
  const embedding = vector.embedding!;
  return {
    model: embedding.model,
    ...(embedding.from ? { from: embedding.from } : {}),
    generations: embedding.generations.map(({ model, dimension, storage, column }) => ({ model, dimension, storage, column, milvusCollection: milvusCollectionOf(vector.name, column) })),
  };
}

function descriptorField(field: VectorFieldIR) {
  const type = field.type;
  return {
    name: field.name,
    column: field.column,
    kind: type.kind,
    optional: field.optional,
    ...(type.kind === 'string' ? { maxLength: type.maxLength } : {}),
    ...(type.kind === 'enum' ? { values: type.values } : {}),
    ...(field.link ? { link: field.link } : {}),
  };
}

function valueType(field: VectorFieldIR): string {
  return field.type.kind === 'enum' ? enumUnion(field.type.values) : SCALAR_TS_TYPE[field.type.kind];
}

function filterType(field: VectorFieldIR): string {
  return field.type.kind === 'enum' ? `EnumFilter<${enumUnion(field.type.values)}>` : FILTER[field.type.kind];
}

