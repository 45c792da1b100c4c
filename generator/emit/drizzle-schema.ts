import { type SourceFileStructure, StructureKind, VariableDeclarationKind } from 'ts-morph';
import type { ColumnIR, IndexPartIR, PredicateIR, SchemaIR, TableIndexIR, TableIR } from '../ir.js';
import { inTemplate, sqlStringLiteral, tsLiteral } from './ts-literal.js';

import { GENERATED_HEADER } from './header.js';

/** drizzle/schema.ts: one pg-core table per table and per vector collection. */
export function drizzleSchemaStructure(ir: SchemaIR): SourceFileStructure {
  const tables = [...ir.tables, ...ir.vectors.map((vector) => vector.table)];
  const builders = new Set<string>(['pgTable']);
  const usesTsvector = tables.some((table) => table.columns.some((column) => column.type.kind === 'tsvector'));
  if (usesTsvector) builders.add('customType');
  let usesSql = usesTsvector;
  const statements = tables.map((table) => {
    const emitted = tableInitializer(table);
    emitted.builders.forEach((name) => builders.add(name));
    usesSql ||= emitted.usesSql;
    return {
      kind: StructureKind.VariableStatement as const,
      isExported: true,
      declarationKind: VariableDeclarationKind.Const,
      docs: table.partition ? [`Partitioned by month on "${table.partition.column}": the migration creates it with PARTITION BY RANGE.`] : [],
      declarations: [{ kind: StructureKind.VariableDeclaration as const, name: table.exportName, initializer: emitted.text }],
    };
  });
  return {
    kind: StructureKind.SourceFile,
    leadingTrivia: GENERATED_HEADER,
    statements: [
      ...(usesSql ? [{ kind: StructureKind.ImportDeclaration as const, moduleSpecifier: 'drizzle-orm', namedImports: ['sql'] }] : []),
      { kind: StructureKind.ImportDeclaration, moduleSpecifier: 'drizzle-orm/pg-core', namedImports: [...builders].sort() },
      ...(usesTsvector ? [TSVECTOR_TYPE] : []),
      ...statements,
    ],
  };
}

/** drizzle-orm has no tsvector column: keyword search's generated column is a custom type, never written or read. */
const TSVECTOR_TYPE = {
  kind: StructureKind.VariableStatement as const,
  declarationKind: VariableDeclarationKind.Const,
  docs: ['The generated tsvector column of keyword search.'],
  declarations: [{ kind: StructureKind.VariableDeclaration as const, name: 'tsvector', initializer: "customType<{ data: string }>({ dataType: () => 'tsvector' })" }],
};

function tableInitializer(table: TableIR): { text: string; builders: string[]; usesSql: boolean } {
  const builders: string[] = [];
  const columns = table.columns.map((column) => {
    const [builder, call] = columnCall(column);
    builders.push(builder);
    return `${column.tsName}: ${call}`;
  });
  const extras: string[] = [];
  if (table.primaryKey) {
    builders.push('primaryKey');
    const columnsOf = table.primaryKey.map((name) => `t.${tsNameOf(table, name)}`);
    extras.push(`primaryKey({ name: ${tsLiteral(`${table.name}_pkey`)}, columns: [${columnsOf.join(', ')}] })`);
  }
  let usesSql = false;
  for (const index of table.indexes) {
    const emitted = indexCall(table, index);
    builders.push(index.unique ? 'uniqueIndex' : 'index');
    usesSql ||= emitted.usesSql;
    extras.push(emitted.text);
  }
  const callback = extras.length > 0 ? `, (t) => [\n${extras.join(',\n')},\n]` : '';
  return { text: `pgTable(${tsLiteral(table.name)}, {\n${columns.join(',\n')},\n}${callback})`, builders, usesSql };
}

function columnCall(column: ColumnIR): [builder: string, call: string] {
  const name = tsLiteral(column.name);
  const type = column.type;
  let builder: string = type.kind;
  let call: string;
  switch (type.kind) {
    case 'varchar':
      call = `varchar(${name}, { length: ${type.length} })`;
      break;
    case 'bigint':
    case 'bigserial':
      call = `${type.kind}(${name}, { mode: 'number' })`;
      break;
    case 'numeric': {
      const options = [type.precision !== undefined && `precision: ${type.precision}`, type.scale !== undefined && `scale: ${type.scale}`].filter(Boolean);
      call = options.length > 0 ? `numeric(${name}, { ${options.join(', ')} })` : `numeric(${name})`;
      break;
    }
    case 'timestamp':
      call = `timestamp(${name}, { withTimezone: ${type.withTimezone}, mode: 'date' })`;
      break;
    case 'date':
      call = `date(${name}, { mode: 'date' })`;
      break;
    case 'vector':
      builder = type.storage;
      call = `${type.storage}(${name}, { dimensions: ${type.dimensions} })`;
      break;
    case 'tsvector':
      builder = 'customType';
      // The source column's name comes from the validated schema (letters, digits and _).
      call = `tsvector(${name}).generatedAlwaysAs(sql\`to_tsvector(${sqlStringLiteral(type.language)}, "${type.source}")\`)`;
      break;
    default:
      call = `${type.kind}(${name})`;
  }
  if (column.primaryKey) call += '.primaryKey()';
  else if (column.notNull) call += '.notNull()';
  if (column.unique) call += '.unique()';
  const value = column.default;
  if (value !== undefined) {
    call += typeof value !== 'object' ? `.default(${tsLiteral(value)})` : 'now' in value ? '.defaultNow()' : '.defaultRandom()';
  }
  return [builder, call];
}

function tsNameOf(table: TableIR, sqlName: string): string {
  const column = table.columns.find((candidate) => candidate.name === sqlName);
  if (!column) throw new Error(`internal: column ${sqlName} missing from ${table.name}`);
  return column.tsName;
}

function indexCall(table: TableIR, index: TableIndexIR): { text: string; usesSql: boolean } {
  let usesSql = false;
  const parts = index.parts.map((part: IndexPartIR) => {
    const ref = `t.${tsNameOf(table, part.column)}`;
    if (part.kind === 'tsvector') {
      usesSql = true;
      return `sql\`to_tsvector(${sqlStringLiteral(part.language)}, \${${ref}})\``;
    }
    let call = ref;
    if (part.opclass) call += `.op(${tsLiteral(part.opclass)})`;
    if (part.order) call += `.${part.order}()`;
    if (part.nulls) call += part.nulls === 'first' ? '.nullsFirst()' : '.nullsLast()';
    return call;
  });
  let text = `${index.unique ? 'uniqueIndex' : 'index'}(${tsLiteral(index.name)})`;
  text += index.method === 'btree' ? `.on(${parts.join(', ')})` : `.using(${tsLiteral(index.method)}, ${parts.join(', ')})`;
  if (index.with) text += `.with({ ${index.with.map(([key, value]) => `${key}: ${value}`).join(', ')} })`;
  if (index.where) {
    usesSql = true;
    text += `.where(sql\`${predicate(table, index.where)}\`)`;
  }
  return { text, usesSql };
}

/** A partial index condition; values become escaped SQL literals, never interpolated text. */
function predicate(table: TableIR, where: PredicateIR): string {
  const ref = `\${t.${tsNameOf(table, where.column)}}`;
  switch (where.op) {
    case 'isNotNull':
      return `${ref} IS NOT NULL`;
    case 'isNull':
      return `${ref} IS NULL`;
    case 'equals': {
      const value = where.value;
      const literal = typeof value === 'string' ? sqlStringLiteral(value) : String(value);
      return `${ref} = ${inTemplate(literal)}`;
    }
  }
}
