import { SchemaValidationError } from '../../src/errors.js';
import type { SchemaDef } from '../../src/schema/define.js';
import type { EmbeddingGenerations } from '../../src/schema/embedding-generations.js';
import type { SchemaIR } from '../ir.js';
import { parseDocuments } from './documents.js';
import { Issues } from './issues.js';
import { checkVectorIds } from './links.js';
import { checkTsName, reportDuplicates } from './names.js';
import { parsePrismaOptions } from './prisma-options.js';
import { checkPartitionNames, parseTable } from './tables.js';
import { parseVectorCollection } from './vectors.js';

const SCHEMA_KEYS = ['documents', 'tables', 'vectors', 'prisma'];

/**
 * Validates a schema and resolves it to the intermediate form; throws SchemaValidationError listing every problem.
 * `generations`: the embedding generations recorded so far (drizzle/meta/polystore_embeddings.json).
 */
export function parseSchema(def: SchemaDef, generations: EmbeddingGenerations = {}): SchemaIR {
  const issues = new Issues();
  if (typeof def !== 'object' || def === null) {
    issues.add('invalid_type', [], 'the schema must be an object made by defineSchema({ documents, tables, vectors })');
    throw new SchemaValidationError(issues.list);
  }
  issues.unknownKeys(def, SCHEMA_KEYS, []);
  const kinds = { documents: 'document', tables: 'table', vectors: 'vectors' } as const;
  for (const [group, kind] of Object.entries(kinds)) {
    for (const [name, entry] of Object.entries(def[group as keyof SchemaDef] ?? {})) {
      if ((entry as { kind?: unknown })?.kind !== kind) {
        issues.add('invalid_type', [group, name], `expected a ${kind === 'vectors' ? 'vectorCollection' : kind}(...) definition`);
      }
    }
  }
  if (issues.list.length > 0) throw new SchemaValidationError(issues.list);

  const documents = parseDocuments(issues, def.documents ?? {});
  const tables = Object.entries(def.tables ?? {}).map(([name, table]) => parseTable(issues, name, table, ['tables', name]));
  const vectors = Object.entries(def.vectors ?? {}).map(([name, collection]) =>
    parseVectorCollection(issues, name, collection, ['vectors', name], documents, Object.hasOwn(generations, name) ? generations[name] : undefined),
  );
  // Tables and vector collections share PostgreSQL's namespace and drizzle/schema.ts's exports.
  const exported = [
    ...tables.map((table) => ({ name: table.exportName, path: ['tables', table.name] })),
    ...vectors.map((vector) => ({ name: vector.table.exportName, path: ['vectors', vector.name] })),
  ];
  for (const { name, path } of exported) checkTsName(issues, name, path);
  reportDuplicates(issues, exported, 'table');
  const prisma = parsePrismaOptions(issues, def.prisma);
  const ir: SchemaIR = { documents, tables, vectors, ...(prisma ? { prisma } : {}) };
  checkPartitionNames(issues, ir);
  checkVectorIds(issues, ir);
  if (issues.list.length > 0) throw new SchemaValidationError(issues.list);
  return ir;
}
