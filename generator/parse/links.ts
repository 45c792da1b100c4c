/**
 * Links between vector collections and document models: a vector field's `f.ref(model, { tenant })`, and a
 * document's `vectors: { collection: 'path' }`, the field that lists its vectors' ids.
 */
import type { FieldType } from '../../src/schema/field.js';
import type { DocumentLink } from '../../src/runtime/contract/document-link.js';
import type { DocFieldIR, DocTypeIR, DocumentIR, SchemaIR } from '../ir.js';
import type { Issues, Path } from './issues.js';

type RefType = Extract<FieldType, { kind: 'ref' }>;
/** What a document's tenant field may be to match a vector collection's string tenant. */
const TENANT_KINDS = new Set(['string', 'ref', 'enum']);

export function parseLink(issues: Issues, ref: RefType, field: { name: string; column: string }, collection: { name: string; tenant: string | undefined; documents: readonly DocumentIR[] }, path: Path): DocumentLink | undefined {
  const { documents, tenant: collectionTenant } = collection;
  if (ref.relation !== undefined || ref.inverse !== undefined) issues.add('invalid_value', path, "relation and inverse are a document's Prisma relation; a vector collection's link takes { tenant } only");
  const document = documents.find((candidate) => candidate.name === ref.target);
  if (!document) {
    issues.add('unknown_reference', path, `no document model "${ref.target}" to link to (have ${documents.map((doc) => doc.name).join(', ') || 'none'})`);
    return undefined;
  }
  const listed = document.vectorIds?.[collection.name];
  const link: DocumentLink = { field: field.name, column: field.column, model: document.name, collection: document.collection ?? document.name, ...(listed ? { listed } : {}) };
  if (ref.tenant === undefined) return link;
  if (collectionTenant === undefined) {
    issues.add('invalid_value', [...path, 'tenant'], 'the collection has no tenant field to match the document\'s: declare tenant on the collection, or leave tenant out of the link');
    return link;
  }
  const tenant = document.fields.find((candidate) => candidate.name === ref.tenant);
  if (!tenant) issues.add('unknown_field', [...path, 'tenant'], `"${document.name}" has no field "${ref.tenant}"`);
  else if (!TENANT_KINDS.has(tenant.type.kind)) issues.add('invalid_type', [...path, 'tenant'], `the tenant field must hold text or a document id, "${document.name}.${ref.tenant}" is ${tenant.type.kind}`);
  else return { ...link, tenant: { field: tenant.name, key: tenant.storedName ?? tenant.name, objectId: tenant.type.kind === 'ref' } };
  return link;
}

/** `vectors: { embeddings: 'indexes.dataId' }`: each path reaches a string or strings in lists; stored keys returned. */
export function parseVectorIds(issues: Issues, fields: readonly DocFieldIR[], def: unknown, path: Path): Record<string, string> | undefined {
  if (def === undefined) return undefined;
  if (typeof def !== 'object' || def === null || Array.isArray(def)) {
    issues.add('invalid_value', path, "vectors must be { collection: 'field.path' }");
    return undefined;
  }
  const resolved: Record<string, string> = {};
  for (const [collection, dotted] of Object.entries(def)) {
    const at = [...path, collection];
    if (typeof dotted !== 'string' || dotted === '') {
      issues.add('invalid_value', at, `expected a dotted field path, got ${JSON.stringify(dotted)}`);
      continue;
    }
    let scope: readonly DocFieldIR[] = fields;
    let type: DocTypeIR | undefined;
    const stored: string[] = [];
    for (const segment of dotted.split('.')) {
      const found = scope.find((candidate) => candidate.name === segment);
      if (!found) {
        type = undefined;
        break;
      }
      stored.push(found.storedName ?? found.name);
      type = found.type.kind === 'array' ? found.type.of : found.type;
      scope = type.kind === 'object' ? type.fields : [];
    }
    if (!type) issues.add('unknown_field', at, `unknown field "${dotted}"`);
    else if (type.kind !== 'string') issues.add('invalid_type', at, `the field listing vector ids must be a string or a list of strings, "${dotted}" is ${type.kind}`);
    else resolved[collection] = stored.join('.');
  }
  return resolved;
}

/** Each document's `vectors` names a vector collection with a link to that document. */
export function checkVectorIds(issues: Issues, ir: SchemaIR): void {
  for (const document of ir.documents) {
    for (const collection of Object.keys(document.vectorIds ?? {})) {
      const vectors = ir.vectors.find((candidate) => candidate.name === collection);
      if (!vectors) issues.add('unknown_reference', ['documents', document.name, 'vectors', collection], `no vector collection "${collection}"`);
      else if (!vectors.fields.some((field) => field.link?.model === document.name)) {
        issues.add('invalid_value', ['documents', document.name, 'vectors', collection], `"${collection}" has no field f.ref('${document.name}') linking its vectors to this model`);
      }
    }
  }
}
