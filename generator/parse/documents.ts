import type { DocumentDef, DocumentIndexDef } from '../../src/schema/define.js';
import type { FieldDef, FieldSpec } from '../../src/schema/field.js';
import type { DocFieldIR, DocIndexIR, DocTypeIR, DocumentIR } from '../ir.js';
import { documentIndexes } from './document-indexes.js';
import { parseVectorIds } from './links.js';
import type { Issues, Path } from './issues.js';
import { checkEnumValue, checkPrismaTypeName, checkTsName, reportDuplicates } from './names.js';

const DOCUMENT_KEYS = ['kind', 'collection', 'fields', 'timestamps', 'indexes', 'vectors'];
const TIMESTAMP_FIELDS = ['createdAt', 'updatedAt'];

export function parseDocuments(issues: Issues, defs: Record<string, DocumentDef>): DocumentIR[] {
  const names = new Set(Object.keys(defs));
  const docs = Object.entries(defs).map(([name, def]) => parseDocument(issues, names, name, def, ['documents', name]));
  checkInverseNames(issues, docs);
  // Two models in one collection would each find the other's indexes there.
  reportDuplicates(issues, docs.map((doc) => ({ name: doc.collection ?? doc.name, path: ['documents', doc.name, 'collection'] })), 'collection');
  return docs;
}

/**
 * MongoDB's collection names: not empty, no `$` or NUL, not `system.`-prefixed (the server's own), at most 120
 * bytes (room for the database name in its 255-byte namespace); and no `"`, which the Prisma schema quotes them in.
 */
function checkCollectionName(issues: Issues, name: string, path: Path): void {
  if (name === '' || /[$\0"]/.test(name) || name.startsWith('system.') || name.startsWith('.') || Buffer.byteLength(name) > 120) {
    issues.add('invalid_value', path, `${JSON.stringify(name)} cannot name a MongoDB collection (not empty, no $, NUL or ", not starting with "system." or ".", at most 120 bytes)`);
  }
}

/** A `map`ped key is stored as it is: MongoDB keeps `_id` for itself, reads dots as paths and `$` as operators. */
function checkStoredName(issues: Issues, name: string, path: Path): void {
  if (name === '' || name === '_id' || name.includes('.') || name.startsWith('$') || name.includes('\0')) {
    issues.add('invalid_value', path, `${JSON.stringify(name)} cannot be a stored key (not empty, not _id, no dots, not starting with $)`);
  }
}

function parseDocument(issues: Issues, names: Set<string>, name: string, def: DocumentDef, path: Path): DocumentIR {
  checkPrismaTypeName(issues, name, path);
  issues.unknownKeys(def, DOCUMENT_KEYS, path);
  checkCollectionName(issues, def.collection ?? name, def.collection === undefined ? path : [...path, 'collection']);
  const fields = parseFields(issues, names, name, def.fields ?? {}, [...path, 'fields'], true);
  const timestamps = def.timestamps === true;
  for (const field of fields) {
    if (field.name === 'id') issues.add('reserved_word', [...path, 'fields', 'id'], '"id" is the document key, added for every document');
    if (timestamps && TIMESTAMP_FIELDS.includes(field.name)) {
      issues.add('duplicate_name', [...path, 'fields', field.name], `"${field.name}" is added by timestamps: true`);
    }
  }
  const relationNames = fields.flatMap((field) =>
    field.type.kind === 'ref' && field.type.relation ? [{ name: field.type.relation, path: [...path, 'fields', field.name, 'relation'] }] : [],
  );
  reportDuplicates(issues, [...fields.map((field) => ({ name: field.name, path: [...path, 'fields', field.name] })), ...relationNames], 'field');
  reportDuplicates(issues, fields.map((field) => ({ name: field.storedName ?? field.name, path: [...path, 'fields', field.name] })), 'stored key');
  const indexes = (def.indexes ?? []).map((index, i) => parseIndex(issues, fields, timestamps, index, [...path, 'indexes', i]));
  const vectorIds = parseVectorIds(issues, fields, def.vectors, [...path, 'vectors']);
  const doc = { name, collection: def.collection, fields, timestamps, indexes, ...(vectorIds ? { vectorIds } : {}) };
  // Two indexes of one name (a field's .index() and an index on that field alone) would be one in MongoDB.
  const all = documentIndexes(doc);
  const at = (origin: (typeof all)[number]['origin']) => ('field' in origin ? [...path, 'fields', origin.field] : [...path, 'indexes', origin.index]);
  reportDuplicates(issues, all.map((index) => ({ name: index.name, path: at(index.origin) })), 'index');
  // MongoDB keeps one index per key pattern: a second one of the same key would be refused forever.
  reportDuplicates(issues, all.map((index) => ({ name: index.key.map(([key, direction]) => `${key}:${direction}`).join(', '), path: at(index.origin) })), 'an index on the key');
  return doc;
}

function parseFields(issues: Issues, names: Set<string>, owner: string, defs: Record<string, FieldDef>, path: Path, topLevel: boolean): DocFieldIR[] {
  return Object.entries(defs).map(([name, def]) => {
    const fieldPath = [...path, name];
    checkTsName(issues, name, fieldPath);
    const type = parseType(issues, names, owner, name, def, fieldPath, topLevel);
    if (def.spec.default !== undefined) checkDefault(issues, type, def.spec.default, [...fieldPath, 'default']);
    if (type.kind === 'array' && def.spec.optional) {
      issues.add('invalid_type', fieldPath, 'an array cannot be optional: it is stored as an empty list');
    }
    if (def.spec.map !== undefined) checkStoredName(issues, def.spec.map, [...fieldPath, 'map']);
    if (!topLevel && (def.spec.unique || def.spec.indexed)) {
      issues.add('invalid_value', fieldPath, '.unique() and .index() apply to top-level fields: index a nested one with indexes: [{ fields: ["outer.inner"] }]');
    }
    return {
      name,
      ...(def.spec.map !== undefined && def.spec.map !== name ? { storedName: def.spec.map } : {}),
      type,
      optional: def.spec.optional,
      unique: def.spec.unique,
      indexed: def.spec.indexed,
      ...(def.spec.default !== undefined ? { default: def.spec.default } : {}),
    };
  });
}

function parseType(issues: Issues, names: Set<string>, owner: string, field: string, def: FieldDef, path: Path, topLevel: boolean): DocTypeIR {
  const type = def.spec.type;
  switch (type.kind) {
    case 'enum':
      if (type.values.length === 0) issues.add('invalid_value', path, 'an enum needs at least one value');
      type.values.forEach((value, i) => checkEnumValue(issues, value, [...path, 'values', i]));
      return { kind: 'enum', values: [...type.values] };
    case 'ref': {
      if (!names.has(type.target)) issues.add('unknown_reference', path, `unknown reference "${type.target}"`);
      if (type.tenant !== undefined) issues.add('invalid_value', [...path, 'tenant'], "tenant applies to a vector collection's link to a document, not to a document's reference");
      if (type.relation !== undefined) {
        if (!topLevel) issues.add('invalid_type', [...path, 'relation'], 'a relation can only be declared on a top-level field');
        checkTsName(issues, type.relation, [...path, 'relation']);
      }
      const inverse = type.inverse ?? `${owner.charAt(0).toLowerCase()}${owner.slice(1)}sBy${field.charAt(0).toUpperCase()}${field.slice(1)}`;
      return { kind: 'ref', target: type.target, relation: type.relation, inverse };
    }
    case 'object':
      return { kind: 'object', fields: parseFields(issues, names, owner, type.fields, [...path, 'fields'], false) };
    case 'array':
      if (type.of.spec.type.kind === 'array') issues.add('invalid_type', path, 'arrays of arrays are not supported by Prisma');
      return { kind: 'array', of: parseType(issues, names, owner, field, type.of, [...path, 'of'], false) };
    case 'string':
    case 'int':
    case 'bigint':
    case 'float':
    case 'boolean':
    case 'datetime':
    case 'json':
      return { kind: type.kind };
    default:
      issues.add('invalid_type', path, `unknown field type ${JSON.stringify((type as { kind: unknown }).kind)}`);
      return { kind: 'json' };
  }
}

function checkDefault(issues: Issues, type: DocTypeIR, value: NonNullable<FieldSpec['default']>, path: Path): void {
  if (typeof value === 'object' && 'json' in value) return checkJsonDefault(issues, type, value.json, path);
  if (!fitsScalar(type, value)) issues.add('invalid_value', path, `default ${JSON.stringify(value)} does not fit a field of type ${type.kind}`);
}

function fitsScalar(type: DocTypeIR, value: string | number | boolean | { now: true }): boolean {
  if (typeof value === 'object') return type.kind === 'datetime';
  if (type.kind === 'enum') return type.values.includes(String(value));
  if (type.kind === 'string') return typeof value === 'string';
  if (type.kind === 'int' || type.kind === 'bigint') return Number.isSafeInteger(value) && (type.kind === 'bigint' || ((value as number) >= -(2 ** 31) && (value as number) < 2 ** 31));
  if (type.kind === 'float') return typeof value === 'number' && Number.isFinite(value);
  return type.kind === 'boolean' && typeof value === 'boolean';
}

function isPlainJson(value: unknown, seen: object[]): boolean {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return true;
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value !== 'object' || seen.includes(value)) return false;
  const inner = [...seen, value];
  if (Array.isArray(value)) return value.every((item) => isPlainJson(item, inner));
  const proto = Object.getPrototypeOf(value);
  return (proto === Object.prototype || proto === null) && Object.values(value).every((item) => isPlainJson(item, inner));
}

/** A JSON field takes any JSON value; a list of scalars an array of values that fit its element. */
function checkJsonDefault(issues: Issues, type: DocTypeIR, value: unknown, path: Path): void {
  if (type.kind === 'json') {
    if (!isPlainJson(value, [])) issues.add('invalid_value', path, 'a JSON default must be plain JSON (no undefined, functions, cycles or non-finite numbers)');
    return;
  }
  const element = type.kind === 'array' ? type.of : undefined;
  const scalar = element && !['object', 'ref', 'json', 'array'].includes(element.kind);
  if (!scalar || !Array.isArray(value)) return issues.add('invalid_value', path, `a default of ${JSON.stringify(value)} fits a JSON field or a list of scalars, not a field of type ${type.kind}`);
  value.forEach((item, i) => {
    if (!['string', 'number', 'boolean'].includes(typeof item) || !fitsScalar(element, item as string)) issues.add('invalid_value', [...path, i], `${JSON.stringify(item)} does not fit a list of ${element.kind}`);
  });
}

function parseIndex(issues: Issues, fields: DocFieldIR[], timestamps: boolean, def: DocumentIndexDef, path: Path): DocIndexIR {
  const resolve = (dotted: string, at: Path): DocTypeIR | undefined => {
    if (timestamps && TIMESTAMP_FIELDS.includes(dotted)) return { kind: 'datetime' };
    let scope = fields;
    let found: DocTypeIR | undefined;
    for (const segment of dotted.split('.')) {
      const field = scope.find((candidate) => candidate.name === segment);
      found = field?.type;
      if (!found) break;
      scope = found.kind === 'object' ? found.fields : [];
    }
    if (!found) issues.add('unknown_field', at, `unknown field "${dotted}"`);
    return found;
  };
  if ('text' in def) {
    def.text.forEach((dotted, i) => {
      const type = resolve(dotted, [...path, 'text', i]);
      if (type && type.kind !== 'string') issues.add('invalid_type', [...path, 'text', i], `a text index needs string fields, "${dotted}" is ${type.kind}`);
    });
    return { kind: 'text', fields: [...def.text] };
  }
  const types: Array<DocTypeIR | undefined> = [];
  reportDuplicates(issues, def.fields.map((part, i) => ({ name: typeof part === 'string' ? part : part.field, path: [...path, 'fields', i] })), 'indexed field');
  const parts = def.fields.map((part, i) => {
    const spec = typeof part === 'string' ? { field: part, order: 'asc' as const } : part;
    types.push(resolve(spec.field, [...path, 'fields', i]));
    return { path: spec.field, order: spec.order };
  });
  if (parts.length === 0) issues.add('invalid_value', path, 'an index needs at least one field');
  if (def.expireAfterSeconds === undefined) return { kind: 'plain', fields: parts, unique: def.unique === true };
  const ttl = def.expireAfterSeconds;
  issues.intInRange('invalid_value', ttl, 0, 2 ** 31 - 1, [...path, 'expireAfterSeconds'], 'expireAfterSeconds');
  if (parts.length !== 1 || types[0]?.kind !== 'datetime') issues.add('invalid_value', path, 'a TTL index (expireAfterSeconds) has exactly one field, a datetime');
  if (def.unique) issues.add('invalid_value', [...path, 'unique'], 'a TTL index cannot be unique');
  return { kind: 'plain', fields: parts, unique: false, expireAfterSeconds: ttl };
}

/** Back-relations land on the target document; they must not collide with its fields. */
function checkInverseNames(issues: Issues, docs: DocumentIR[]): void {
  for (const target of docs) {
    const taken = [
      ...target.fields.map((field) => ({ name: field.name, path: ['documents', target.name, 'fields', field.name] })),
      ...docs.flatMap((source) =>
        source.fields.flatMap((field) =>
          field.type.kind === 'ref' && field.type.relation && field.type.target === target.name
            ? [{ name: field.type.inverse, path: ['documents', source.name, 'fields', field.name, 'inverse'] }]
            : [],
        ),
      ),
    ];
    reportDuplicates(issues, taken, `field of ${target.name}`);
  }
}
