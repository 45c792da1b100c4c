import type { MongoIndexSpec } from '../../src/runtime/contract/mongo-spec.js';
import type { DocFieldIR, DocumentIR } from '../ir.js';

/** Where the index came from in the schema, so that the Prisma emitter writes it in its place. */
export type IndexOrigin = { field: string } | { index: number };

/**
 * Every MongoDB index of a document model, named as Prisma names them by default (`{collection}_{fields}_key` for
 * unique ones, `_idx` otherwise; dots of nested paths as `_`); TTL indexes, which Prisma cannot declare, `_ttl`.
 * The Prisma schema writes these names as `map:`, and `polystore migrate` creates them: one name on both sides.
 */
export function documentIndexes(doc: DocumentIR): Array<MongoIndexSpec & { origin: IndexOrigin }> {
  const collection = doc.collection ?? doc.name;
  const name = (paths: string[], suffix: string) => `${collection}_${paths.join('_').replaceAll('.', '_')}_${suffix}`;
  const stored = (path: string) => storedPath(doc.fields, path);
  const byField = doc.fields.flatMap((field) =>
    field.unique || field.indexed
      ? [{ name: name([field.name], field.unique ? 'key' : 'idx'), key: [[stored(field.name), 1]] as MongoIndexSpec['key'], ...(field.unique ? { unique: true as const } : {}), origin: { field: field.name } }]
      : [],
  );
  const declared = doc.indexes.map((index, i) => {
    const origin = { index: i };
    if (index.kind === 'text') return { name: name(index.fields, 'idx'), key: index.fields.map((path): [string, 'text'] => [stored(path), 'text']), origin };
    const paths = index.fields.map((part) => part.path);
    const key = index.fields.map((part): [string, 1 | -1] => [stored(part.path), part.order === 'desc' ? -1 : 1]);
    if (index.expireAfterSeconds !== undefined) return { name: name(paths, 'ttl'), key, expireAfterSeconds: index.expireAfterSeconds, origin };
    return { name: name(paths, index.unique ? 'key' : 'idx'), key, ...(index.unique ? { unique: true as const } : {}), origin };
  });
  return [...byField, ...declared];
}

/** A dotted path of field names as the keys stored in MongoDB (`map`ped names), through embedded objects. */
function storedPath(fields: DocFieldIR[], dotted: string): string {
  let scope: DocFieldIR[] = fields;
  return dotted
    .split('.')
    .map((segment) => {
      const field = scope.find((candidate) => candidate.name === segment);
      scope = field?.type.kind === 'object' ? field.type.fields : field?.type.kind === 'array' && field.type.of.kind === 'object' ? field.type.of.fields : [];
      return field?.storedName ?? segment;
    })
    .join('.');
}
