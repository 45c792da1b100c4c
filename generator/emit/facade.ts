import { type SourceFileStructure, StructureKind } from 'ts-morph';
import type { SchemaIR, TableIR, VectorCollectionIR } from '../ir.js';
import { pascalCase } from '../parse/names.js';
import { GENERATED_HEADER } from './header.js';
import { descriptorName, recordTypeName, whereTypeName } from './vectors.js';

/** generated/tables.ts: row types of the PostgreSQL tables, inferred by Drizzle. */
export function tableTypesStructure(ir: SchemaIR): SourceFileStructure {
  const tables: TableIR[] = ir.tables;
  return {
    kind: StructureKind.SourceFile,
    leadingTrivia: GENERATED_HEADER,
    statements: [
      ...(tables.length > 0 ? [{ kind: StructureKind.ImportDeclaration as const, isTypeOnly: true, moduleSpecifier: '../drizzle/schema.js', namedImports: tables.map((table) => table.exportName) }] : []),
      ...tables.flatMap((table) => [
        { kind: StructureKind.TypeAlias as const, isExported: true, name: `${pascalCase(table.name)}Row`, type: `typeof ${table.exportName}.$inferSelect`, docs: [`A row of "${table.name}" as read.`] },
        { kind: StructureKind.TypeAlias as const, isExported: true, name: `New${pascalCase(table.name)}Row`, type: `typeof ${table.exportName}.$inferInsert`, docs: [`A row of "${table.name}" as inserted.`] },
      ]),
    ],
  };
}

/** The store's type arguments: a collection without `fullText` takes vector queries only; one with `embedding.from` embeds. */
function storeArguments(vector: VectorCollectionIR): string {
  const embeds = vector.embedding?.from !== undefined;
  const fullText = embeds ? `, ${vector.fullText !== undefined}, true` : vector.fullText ? ', true' : '';
  return vector.tenant
    ? `${recordTypeName(vector)}, ${whereTypeName(vector)}, '${vector.tenant}'${fullText}`
    : `${recordTypeName(vector)}, ${whereTypeName(vector)}${fullText}`;
}

function storeType(vector: VectorCollectionIR): string {
  return `${vector.tenant ? 'TenantVectorStore' : 'VectorStore'}<${storeArguments(vector)}>`;
}

function storeFactory(vector: VectorCollectionIR): string {
  return `runtime.${vector.tenant ? 'tenantVectorStore' : 'vectorStore'}<${storeArguments(vector)}>(${descriptorName(vector)})`;
}

/** generated/index.ts: createPolystore() and the typed facade it returns. */
export function facadeStructure(ir: SchemaIR): SourceFileStructure {
  const runtimeTypes = ['CacheControl', 'EnsurePartitionsOptions', 'HealthOptions', 'HealthReport', 'Integrity', 'MigrateDownOptions', 'MigrateDownResult', 'MigrateOptions', 'MigrateResult', 'MigrationStatus', 'PartitionsReport', 'PolystoreDatabase', 'PolystoreOptions', 'PrismaClientClass', 'PrismaClientLike', ...(ir.vectors.some((v) => v.tenant) ? ['TenantVectorStore'] : []), ...(ir.vectors.some((v) => !v.tenant) ? ['VectorStore'] : [])];
  const collectionNames = ir.vectors.map((vector) => vector.name);
  const descriptors = ir.vectors.map((vector) => descriptorName(vector));
  const vectorImports = ir.vectors.flatMap((vector) => [descriptorName(vector), `type ${recordTypeName(vector)}`, `type ${whereTypeName(vector)}`]);
  return {
    kind: StructureKind.SourceFile,
    leadingTrivia: GENERATED_HEADER,
    statements: [
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: 'polystore/runtime', namedImports: ['createRuntime', ...runtimeTypes.map((name) => `type ${name}`)] },
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: '../drizzle/schema.js', namespaceImport: 'schema' },
      ...(vectorImports.length > 0 ? [{ kind: StructureKind.ImportDeclaration as const, moduleSpecifier: './vectors.js', namedImports: vectorImports }] : []),
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: './mongodb.js', namedImports: ['mongoCollections'] },
      ...['./documents.js', './tables.js', './vectors.js', './milvus.js', './mongodb.js'].map((moduleSpecifier) => ({ kind: StructureKind.ExportDeclaration as const, moduleSpecifier })),
      {
        kind: StructureKind.Interface,
        name: 'Polystore',
        isExported: true,
        properties: [
          { name: 'sql', type: 'PolystoreDatabase<typeof schema>', docs: ['Drizzle over the PostgreSQL tables.'] },
          { name: 'vectors', type: `{ ${ir.vectors.map((vector) => `${vector.table.exportName}: ${storeType(vector)};`).join(' ')} }` },
          {
            name: 'cache',
            type: `CacheControl<${collectionNames.map((name) => `'${name}'`).join(' | ') || 'never'}>`,
            docs: ['The cache of `createPolystore({ cache })`: its counters and breaker state, and `clear(collection?)`.'],
          },
          {
            name: 'integrity',
            type: 'Integrity',
            docs: ["The links of vector collections to documents (`f.ref(model)` fields): `check()` reports the vectors whose document is gone, `sweep({ olderThanMs })` deletes them."],
          },
          {
            name: 'partitions',
            type: '{ ensure(options?: EnsurePartitionsOptions): Promise<PartitionsReport> }',
            docs: ['Monthly partitions from the current month to `ahead` (3) months on, rows in DEFAULT moved into them; with `retain`, older ones detached or dropped.'],
          },
        ],
        methods: [
          {
            name: 'documents',
            typeParameters: [{ name: 'C', constraint: 'PrismaClientLike' }],
            parameters: [{ name: 'PrismaClient', type: 'PrismaClientClass<C>' }],
            returnType: 'Promise<C>',
            docs: ['Connects the MongoDB documents through your generated client: `await db.documents(PrismaClient)`.'],
          },
          {
            name: 'migrate',
            parameters: [{ name: 'options', type: 'MigrateOptions', hasQuestionToken: true }],
            returnType: 'Promise<MigrateResult>',
            docs: [
              "Applies the migrations in drizzle/ that the database has not seen, creates or checks each collection on Milvus, then the documents' MongoDB collections and indexes (`force`: replace indexes whose definition changed).",
            ],
          },
          { name: 'migrationStatus', returnType: 'Promise<MigrationStatus>', docs: ['What `migrate` would do (pending, changed or drifted), changing nothing.'] },
          {
            name: 'migrateDown',
            parameters: [{ name: 'options', type: 'MigrateDownOptions' }],
            returnType: 'Promise<MigrateDownResult>',
            docs: ['Reverses the applied migrations after `options.to`, newest first, in one transaction (drizzle/down/).'],
          },
          {
            name: 'health',
            parameters: [{ name: 'options', type: 'HealthOptions', hasQuestionToken: true }],
            returnType: 'Promise<HealthReport>',
            docs: ['Each store up, degraded or down, with its latency and details; never throws.'],
          },
          { name: 'close', returnType: 'Promise<void>', docs: ['Releases every connection.'] },
        ],
      },
      {
        kind: StructureKind.Function,
        name: 'createPolystore',
        isExported: true,
        docs: ['Opens the data layer: an in-memory PGlite with pgvector unless `options.postgres` names a server; Milvus for the collections on the milvus backend.'],
        parameters: [{ name: 'options', type: `PolystoreOptions<${collectionNames.map((name) => `'${name}'`).join(' | ') || 'never'}>`, initializer: '{}' }],
        returnType: 'Polystore',
        statements: [
          `const runtime = createRuntime(schema, import.meta.url, [${descriptors.join(', ')}], options, mongoCollections);`,
          `return {
            sql: runtime.sql,
            documents: (PrismaClient) => runtime.documents(PrismaClient),
            vectors: { ${ir.vectors.map((vector) => `${vector.table.exportName}: ${storeFactory(vector)},`).join('\n')} },
            migrate: (migrateOptions) => runtime.migrate(migrateOptions),
            migrationStatus: () => runtime.migrationStatus(),
            migrateDown: (options) => runtime.migrateDown(options),
            health: (options) => runtime.health(options),
            partitions: runtime.partitions,
            cache: runtime.cache,
            integrity: runtime.integrity,
            close: () => runtime.close(),
          };`,
        ],
      },
    ],
  };
}
