import type { ColumnDef } from '../../src/schema/column.js';
import type { IndexPredicate, PartitionDef, TableDef, TableIndexDef } from '../../src/schema/define.js';
import type { ColumnIR, IndexPartIR, PredicateIR, SchemaIR, TableIndexIR, TableIR } from '../ir.js';
import type { Issues, Path } from './issues.js';
import { limits, TEXT_SEARCH_LANGUAGES } from './limits.js';
import { monthText, partitionName } from '../../src/schema/partition-name.js';
import { camelCase, checkSqlName, checkTsName, indexName, reportDuplicates, snakeCase } from './names.js';
import { vectorIndex, vectorStorage } from './vector-index.js';

const TABLE_KEYS = ['kind', 'columns', 'primaryKey', 'indexes', 'partitionBy'];
const COLUMN_KINDS = new Set(['text', 'varchar', 'integer', 'bigint', 'serial', 'bigserial', 'boolean', 'real', 'doublePrecision', 'numeric', 'timestamp', 'date', 'jsonb', 'inet', 'uuid', 'vector']);

export function parseTable(issues: Issues, name: string, def: TableDef, path: Path): TableIR {
  const validName = checkSqlName(issues, name, path);
  issues.unknownKeys(def, TABLE_KEYS, path);
  const vectorIndexed = new Set((def.indexes ?? []).flatMap((index) => (index.using === 'vector' && index.type !== 'flat' ? [index.column] : [])));
  const columns = Object.entries(def.columns ?? {}).map(([tsName, column]) =>
    parseColumn(issues, tsName, column, vectorIndexed.has(tsName), [...path, 'columns', tsName]),
  );
  if (columns.length === 0) issues.add('invalid_value', [...path, 'columns'], 'a table needs at least one column');
  reportDuplicates(issues, columns.map((column) => ({ name: column.name, path: [...path, 'columns', column.tsName] })), 'column');
  const lookup = columnLookup(issues, columns);

  let primaryKey: string[] | undefined;
  if (def.primaryKey) {
    primaryKey = def.primaryKey.map((column, i) => lookup(column, [...path, 'primaryKey', i])?.name ?? column);
    if (columns.some((column) => column.primaryKey)) {
      issues.add('invalid_value', [...path, 'primaryKey'], 'declare the primary key either on one column or as primaryKey, not both');
    }
  }
  const parsed = (def.indexes ?? []).flatMap((index, i) => {
    const ir = parseTableIndex(issues, name, lookup, index, [...path, 'indexes', i]);
    return ir ? [{ ir, path: [...path, 'indexes', i] }] : [];
  });
  const indexes = parsed.map(({ ir }) => ir);
  reportDuplicates(issues, parsed.map(({ ir, path: at }) => ({ name: ir.name, path: at })), 'index');
  const partition = def.partitionBy && parsePartition(issues, lookup, primaryKey, columns, def.partitionBy, [...path, 'partitionBy']);
  if (partition) checkUniqueUnderPartition(issues, partition.column, columns, parsed, path);
  if (partition && validName) checkPartitionNameLength(issues, name, partition.months, path);
  return { name, exportName: camelCase(name), columns, ...(primaryKey ? { primaryKey } : {}), indexes, ...(partition ? { partition } : {}) };
}

function parseColumn(issues: Issues, tsName: string, def: ColumnDef, vectorIndexed: boolean, path: Path): ColumnIR {
  checkTsName(issues, tsName, path);
  const name = def.spec.name ?? snakeCase(tsName);
  checkSqlName(issues, name, def.spec.name ? [...path, 'name'] : path);
  const type = def.spec.type;
  if (!COLUMN_KINDS.has(type?.kind)) issues.add('invalid_type', path, `unknown column type ${JSON.stringify(type?.kind)}`);
  if (type.kind === 'varchar') issues.intInRange('invalid_value', type.length, 1, 10_485_760, [...path, 'length'], 'varchar length');
  if (def.spec.default !== undefined) checkColumnDefault(issues, def, [...path, 'default']);
  const base = { name, tsName, notNull: def.spec.notNull, primaryKey: def.spec.primaryKey, unique: def.spec.unique, ...(def.spec.default !== undefined ? { default: def.spec.default } : {}) };
  if (type.kind === 'vector') {
    return { ...base, type: { kind: 'vector', dimensions: type.dimensions, storage: vectorStorage(issues, type.dimensions, vectorIndexed, [...path, 'dimensions']) } };
  }
  return { ...base, type };
}

function checkColumnDefault(issues: Issues, def: ColumnDef, path: Path): void {
  const value = def.spec.default;
  const kind = def.spec.type.kind;
  const ok =
    typeof value === 'object'
      ? 'now' in value
        ? kind === 'timestamp' || kind === 'date'
        : kind === 'uuid'
      : typeof value === 'string'
        ? ['text', 'varchar', 'inet', 'uuid'].includes(kind)
        : typeof value === 'boolean'
          ? kind === 'boolean'
          : ['integer', 'bigint'].includes(kind)
            ? Number.isInteger(value)
            : ['real', 'doublePrecision', 'numeric'].includes(kind) && Number.isFinite(value);
  if (!ok) issues.add('invalid_value', path, `default ${JSON.stringify(value)} does not fit a ${kind} column`);
}

export type ColumnLookup = (tsName: string, path: Path) => ColumnIR | undefined;

export function columnLookup(issues: Issues, columns: ColumnIR[]): ColumnLookup {
  return (tsName, path) => {
    const found = columns.find((column) => column.tsName === tsName);
    if (!found) issues.add('unknown_field', path, `unknown column "${tsName}"`);
    return found;
  };
}

export function parseTableIndex(issues: Issues, table: string, lookup: ColumnLookup, def: TableIndexDef, path: Path): TableIndexIR | undefined {
  const where = 'where' in def && def.where ? parsePredicate(issues, lookup, def.where, [...path, 'where']) : undefined;
  const withWhere = (index: TableIndexIR): TableIndexIR => (where ? { ...index, where } : index);
  switch (def.using) {
    case undefined:
    case 'btree': {
      issues.unknownKeys(def, ['using', 'columns', 'unique', 'where'], path);
      const parts: IndexPartIR[] = (def.columns ?? []).flatMap((spec, i) => {
        const { column, ...options } = typeof spec === 'string' ? { column: spec } : spec;
        const found = lookup(column, [...path, 'columns', i]);
        return found ? [{ kind: 'column' as const, column: found.name, ...options }] : [];
      });
      if ((def.columns ?? []).length === 0) issues.add('invalid_value', [...path, 'columns'], 'an index needs at least one column');
      const names = parts.map((part) => part.column);
      return withWhere({ name: indexName(table, names, def.unique ? 'key' : 'idx'), method: 'btree', unique: def.unique === true, parts });
    }
    case 'gin':
    case 'brin': {
      issues.unknownKeys(def, ['using', 'columns', 'where'], path);
      const parts = (def.columns ?? []).flatMap((column, i) => {
        const found = lookup(column, [...path, 'columns', i]);
        if (found && def.using === 'gin' && found.type.kind !== 'jsonb') {
          issues.add('invalid_type', [...path, 'columns', i], `a GIN index needs a jsonb column, "${column}" is ${found.type.kind}`);
        }
        return found ? [{ kind: 'column' as const, column: found.name }] : [];
      });
      if ((def.columns ?? []).length === 0) issues.add('invalid_value', [...path, 'columns'], 'an index needs at least one column');
      return withWhere({ name: indexName(table, parts.map((part) => part.column), def.using), method: def.using, unique: false, parts });
    }
    case 'fulltext': {
      issues.unknownKeys(def, ['using', 'column', 'language', 'where'], path);
      const language = textSearchLanguage(issues, def.language, [...path, 'language']);
      const found = lookup(def.column, [...path, 'column']);
      if (found && found.type.kind !== 'text' && found.type.kind !== 'varchar') {
        issues.add('invalid_type', [...path, 'column'], `full-text search needs a text column, "${def.column}" is ${found.type.kind}`);
      }
      const column = found?.name ?? def.column;
      return withWhere({ name: indexName(table, [column], 'fts'), method: 'gin', unique: false, parts: [{ kind: 'tsvector', column, language }] });
    }
    case 'vector': {
      const found = lookup(def.column, [...path, 'column']);
      if (found && found.type.kind !== 'vector') {
        issues.add('invalid_type', [...path, 'column'], `a vector index needs a vector column, "${def.column}" is ${found.type.kind}`);
        return undefined;
      }
      const storage = found?.type.kind === 'vector' ? found.type.storage : 'vector';
      return vectorIndex(issues, table, found?.name ?? def.column, storage, def.metric, def, path);
    }
    default:
      issues.add('invalid_value', [...path, 'using'], `unknown index method ${JSON.stringify((def as { using: unknown }).using)}`);
      return undefined;
  }
}

function parsePredicate(issues: Issues, lookup: ColumnLookup, def: IndexPredicate, path: Path): PredicateIR | undefined {
  const column = lookup(def.column, [...path, 'column'])?.name;
  if (!column) return undefined;
  if ('isNotNull' in def) return { column, op: 'isNotNull' };
  if ('isNull' in def) return { column, op: 'isNull' };
  if ('equals' in def) {
    const value = def.equals;
    if ((typeof value === 'string' && !value.includes('\0')) || typeof value === 'boolean' || Number.isFinite(value)) return { column, op: 'equals', value };
    issues.add('invalid_value', [...path, 'equals'], `a partial index compares with a string (without NUL), a finite number or a boolean, got ${JSON.stringify(value)}`);
    return undefined;
  }
  issues.add('invalid_value', path, 'a partial index condition is { column, isNotNull: true }, { column, isNull: true } or { column, equals: value }');
  return undefined;
}

/** PostgreSQL enforces uniqueness per partition only: a unique key must contain the partition key. */
function checkUniqueUnderPartition(issues: Issues, partitionColumn: string, columns: ColumnIR[], indexes: Array<{ ir: TableIndexIR; path: Path }>, path: Path): void {
  for (const column of columns) {
    if (column.unique) issues.add('invalid_partition', [...path, 'columns', column.tsName], `a unique column of a partitioned table must include the partition key: use a unique index on [${column.tsName}, the partition column]`);
  }
  for (const { ir, path: at } of indexes) {
    if (ir.unique && !ir.parts.some((part) => part.column === partitionColumn)) {
      issues.add('invalid_partition', at, `a unique index of a partitioned table must include the partition key "${partitionColumn}"`);
    }
  }
}

/** A partitioned table's partitions, each a table in PostgreSQL. */
const partitionsOf = (table: string, months: string[]) => [...months.map((month) => partitionName(table, month)), partitionName(table)];

/** PostgreSQL would truncate a longer partition name, into a name another partition has. */
function checkPartitionNameLength(issues: Issues, table: string, months: string[], path: Path): void {
  const tooLong = partitionsOf(table, months).find((name) => name.length > limits.postgresMaxName);
  if (tooLong) {
    issues.add('invalid_identifier', path, `"${table}" is too long for a partitioned table: its partition "${tooLong}" would pass PostgreSQL's ${limits.postgresMaxName}-byte limit for names`);
  }
}

/** No other table or vector collection may take a partition's name. */
export function checkPartitionNames(issues: Issues, ir: SchemaIR): void {
  const others = [
    ...ir.tables.map((table) => ({ name: table.name, path: ['tables', table.name] })),
    ...ir.vectors.map((vector) => ({ name: vector.name, path: ['vectors', vector.name] })),
  ];
  for (const table of ir.tables) {
    const partitions = table.partition ? partitionsOf(table.name, table.partition.months) : [];
    for (const other of others.filter((candidate) => partitions.includes(candidate.name))) {
      issues.add('duplicate_name', other.path, `"${other.name}" is the name of a partition of table "${table.name}"`);
    }
  }
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;
/** Months counted from January of year 0. Bounds keep 4-digit years (PostgreSQL has no year 0): 0001-01-01 to 9999-12-01. */
const [FIRST_MONTH, LAST_MONTH] = [12, 9999 * 12 + 10];

function parsePartition(issues: Issues, lookup: ColumnLookup, primaryKey: string[] | undefined, columns: ColumnIR[], def: PartitionDef, path: Path): TableIR['partition'] {
  issues.unknownKeys(def, ['column', 'interval', 'from', 'count'], path);
  const column = lookup(def.column, [...path, 'column']);
  if (column && column.type.kind !== 'timestamp' && column.type.kind !== 'date') {
    issues.add('invalid_partition', [...path, 'column'], `the partition key must be a timestamp or date column, "${def.column}" is ${column.type.kind}`);
  }
  const keyColumns = primaryKey ?? columns.filter((candidate) => candidate.primaryKey).map((candidate) => candidate.name);
  if (column && keyColumns.length > 0 && !keyColumns.includes(column.name)) {
    issues.add('invalid_partition', [...path, 'column'], `PostgreSQL requires the partition key "${def.column}" in the primary key: use primaryKey: [..., "${def.column}"]`);
  }
  if (def.interval !== 'month') issues.add('invalid_partition', [...path, 'interval'], `interval must be "month", got ${JSON.stringify(def.interval)}`);
  const start = MONTH.exec(def.from ?? '');
  const first = start ? Number(start[1]) * 12 + Number(start[2]) - 1 : -1;
  const fromOk = first >= FIRST_MONTH && first <= LAST_MONTH;
  if (!fromOk) issues.add('invalid_partition', [...path, 'from'], `from must be a month as YYYY-MM from 0001-01 to 9999-11, got ${JSON.stringify(def.from)}`);
  const countOk = issues.intInRange('invalid_partition', def.count, 1, 120, [...path, 'count'], 'count');
  const inRange = fromOk && countOk && first + def.count - 1 <= LAST_MONTH;
  if (fromOk && countOk && !inRange) {
    issues.add('invalid_partition', [...path, 'count'], `${def.count} monthly partitions from ${def.from} end after 9999-12-01: partition bounds are years 0001 to 9999`);
  }
  if (!column || !inRange) return undefined;
  return { column: column.name, months: Array.from({ length: def.count }, (_, i) => monthText(first + i)) };
}


/** A full-text index's or keyword search's text search configuration: PostgreSQL's, 'english' when not given. */
export function textSearchLanguage(issues: Issues, language: string | undefined, path: Path): string {
  const chosen = language ?? 'english';
  if (!TEXT_SEARCH_LANGUAGES.has(chosen)) issues.add('invalid_value', path, `unknown text search language ${JSON.stringify(chosen)}`);
  return chosen;
}
