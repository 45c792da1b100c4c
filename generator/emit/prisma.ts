import { documentIndexes } from '../parse/document-indexes.js';
import type { DocFieldIR, DocTypeIR, DocumentIR, SchemaIR } from '../ir.js';
import { GENERATED_HEADER } from './header.js';
import { pascalCase } from '../parse/names.js';

/**
 * prisma/schema.prisma for MongoDB. Embedded objects become composite `type`
 * blocks and enums get names from their path (User.settings.ui.theme →
 * UserSettingsUiTheme); a reference with a `relation` also gets the relation
 * field and its back-relation.
 */
export function emitPrismaSchema(ir: SchemaIR): string {
  const blocks = new PrismaBlocks(ir.documents);
  const models = ir.documents.map((doc) => blocks.model(doc));
  return [
    GENERATED_HEADER.trimEnd(),
    '',
    block('datasource db', [['provider', '=', '"mongodb"'], ['url', '=', 'env("MONGODB_URL")']]),
    '',
    block('generator client', [['provider', '=', '"prisma-client-js"'], ...(ir.prisma ? [['binaryTargets', '=', JSON.stringify(ir.prisma.binaryTargets).replaceAll(',', ', ')]] : [])]),
    ...[...blocks.enums, ...blocks.types, ...models].flatMap((text) => ['', text]),
    '',
  ].join('\n');
}

type Line = string[];

/** Aligns a block's columns the way `prisma format` does. */
function block(header: string, lines: Line[], attributes: string[] = []): string {
  const widths: number[] = [];
  for (const line of lines) line.slice(0, -1).forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  const body = lines.map((line) => `  ${line.map((cell, i) => (i < line.length - 1 ? cell.padEnd(widths[i]) : cell)).join(' ')}`.trimEnd());
  const tail = attributes.length > 0 ? ['', ...attributes.map((attribute) => `  ${attribute}`)] : [];
  return [`${header} {`, ...body, ...tail, '}'].join('\n');
}

class PrismaBlocks {
  readonly enums: string[] = [];
  readonly types: string[] = [];
  private readonly taken: Set<string>;

  constructor(private readonly documents: DocumentIR[]) {
    this.taken = new Set(documents.map((doc) => doc.name));
  }

  model(doc: DocumentIR): string {
    const lines: Line[] = [['id', 'String', '@id @default(auto()) @map("_id") @db.ObjectId']];
    const attributes: string[] = [];
    // Every index named as `polystore migrate` creates it.
    const indexes = documentIndexes(doc);
    const fieldIndex = (name: string) => indexes.find((index) => 'field' in index.origin && index.origin.field === name)!;
    for (const field of doc.fields) {
      lines.push(this.field(doc.name, [field.name], field, field.unique ? fieldIndex(field.name).name : undefined));
      if (field.indexed && !field.unique) attributes.push(`@@index([${field.name}], map: "${fieldIndex(field.name).name}")`);
      if (field.type.kind === 'ref' && field.type.relation) {
        const optional = field.optional ? '?' : '';
        lines.push([field.type.relation, `${field.type.target}${optional}`, `@relation("${doc.name}_${field.type.relation}", fields: [${field.name}], references: [id])`]);
      }
    }
    for (const source of this.documents) {
      for (const field of source.fields) {
        if (field.type.kind === 'ref' && field.type.relation && field.type.target === doc.name) {
          lines.push([field.type.inverse, `${source.name}[]`, `@relation("${source.name}_${field.type.relation}")`]);
        }
      }
    }
    if (doc.timestamps) lines.push(['createdAt', 'DateTime', '@default(now())'], ['updatedAt', 'DateTime', '@updatedAt']);
    doc.indexes.forEach((index, i) => {
      const name = indexes.find((candidate) => 'index' in candidate.origin && candidate.origin.index === i)!.name;
      if (index.kind === 'text') attributes.push(`@@fulltext([${index.fields.join(', ')}], map: "${name}")`);
      else if (index.expireAfterSeconds !== undefined) attributes.push(`// ${name}: a TTL index, which Prisma cannot declare; polystore migrate creates it`);
      else {
        const parts = index.fields.map((part) => (part.order === 'desc' ? `${part.path}(sort: Desc)` : part.path));
        attributes.push(`@@${index.unique ? 'unique' : 'index'}([${parts.join(', ')}], map: "${name}")`);
      }
    });
    if (doc.collection) attributes.push(`@@map("${doc.collection}")`);
    return block(`model ${doc.name}`, lines, attributes);
  }

  /** `uniqueName`: the unique index of a top-level field (the parser refuses `.unique()` on nested ones). */
  private field(owner: string, path: string[], field: DocFieldIR, uniqueName?: string): Line {
    const attributes: string[] = [];
    if (uniqueName) attributes.push(`@unique(map: "${uniqueName}")`);
    if (field.default !== undefined) attributes.push(`@default(${defaultValue(field)})`);
    if (field.storedName) attributes.push(`@map(${JSON.stringify(field.storedName)})`);
    if (field.type.kind === 'ref' || (field.type.kind === 'array' && field.type.of.kind === 'ref')) attributes.push('@db.ObjectId');
    const list = field.type.kind === 'array';
    const type = this.typeName(owner, path, list && field.type.kind === 'array' ? field.type.of : field.type);
    const suffix = list ? '[]' : field.optional ? '?' : '';
    return [field.name, `${type}${suffix}`, attributes.join(' ')];
  }

  private typeName(owner: string, path: string[], type: DocTypeIR): string {
    switch (type.kind) {
      case 'string':
      case 'ref':
        return 'String';
      case 'int':
        return 'Int';
      case 'bigint':
        return 'BigInt';
      case 'float':
        return 'Float';
      case 'boolean':
        return 'Boolean';
      case 'datetime':
        return 'DateTime';
      case 'json':
        return 'Json';
      case 'enum': {
        const name = this.claim(owner, path);
        this.enums.push(block(`enum ${name}`, type.values.map((value) => [value])));
        return name;
      }
      case 'object': {
        const name = this.claim(owner, path);
        const lines = type.fields.map((field) => this.field(owner, [...path, field.name], field));
        this.types.push(block(`type ${name}`, lines));
        return name;
      }
      case 'array':
        throw new Error('internal: arrays of arrays are rejected by validation');
    }
  }

  /** A block name from the field's path, unique among documents, types and enums. */
  private claim(owner: string, path: string[]): string {
    const base = `${owner}${path.map(pascalCase).join('')}`;
    let name = base;
    for (let n = 2; this.taken.has(name); n++) name = `${base}${n}`;
    this.taken.add(name);
    return name;
  }
}

function defaultValue(field: DocFieldIR): string {
  const value = field.default!;
  const type = field.type.kind === 'array' ? field.type.of : field.type;
  const scalar = (item: unknown) => (type.kind === 'enum' ? String(item) : typeof item === 'string' ? JSON.stringify(item) : String(item));
  if (typeof value !== 'object') return scalar(value);
  if ('now' in value) return 'now()';
  // A JSON field's default is its JSON text as a string; a list's, a list of its values.
  return field.type.kind === 'json' ? JSON.stringify(JSON.stringify(value.json)) : `[${(value.json as unknown[]).map(scalar).join(', ')}]`;
}
