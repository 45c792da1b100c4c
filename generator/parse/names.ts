import { createHash } from 'node:crypto';
import type { Issues, Path } from './issues.js';
import { limits } from './limits.js';

const TS_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]*$/;

const JS_RESERVED = new Set(
  (
    'break case catch class const continue debugger default delete do else enum export extends false finally for ' +
    'function if import in instanceof new null return super switch this throw true try typeof var void while with ' +
    'yield let static implements interface package private protected public await'
  ).split(' '),
);

/** What every object inherits: a record's field of that name is mistaken for it, and `__proto__` is never stored. */
const OBJECT_MEMBERS = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Keywords PostgreSQL reserves, also as column or function names (SQL Key Words appendix). */
const PG_RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization binary both case cast check collate collation ' +
    'column concurrently constraint create cross current_catalog current_date current_role current_schema ' +
    'current_time current_timestamp current_user default deferrable desc distinct do else end except false fetch ' +
    'for foreign freeze from full grant group having ilike in initially inner intersect into is isnull join lateral ' +
    'leading left like limit localtime localtimestamp natural not notnull null offset on only or order outer ' +
    'overlaps placing primary references returning right select session_user similar some symmetric system_user ' +
    'table tablesample then to trailing true union unique user using variadic verbose when where window with'
  ).split(' '),
);

/** Names Prisma uses for its own scalar types and client. */
const PRISMA_RESERVED = new Set(
  'String Int Float Boolean DateTime Json Bytes Decimal BigInt Unsupported Prisma PrismaClient'.split(' '),
);

export function snakeCase(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase();
}

export function camelCase(name: string): string {
  return name.replace(/_+([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function pascalCase(name: string): string {
  const camel = camelCase(name);
  return camel.charAt(0).toUpperCase() + camel.slice(1);
}

/** A name that becomes a TypeScript identifier or property. */
export function checkTsName(issues: Issues, name: string, path: Path): boolean {
  if (!TS_IDENTIFIER.test(name)) {
    issues.add('invalid_identifier', path, `"${name}" is not a valid identifier (letters, digits and _, not starting with a digit)`);
    return false;
  }
  if (JS_RESERVED.has(name)) {
    issues.add('reserved_word', path, `"${name}" is a reserved word in TypeScript`);
    return false;
  }
  if (OBJECT_MEMBERS.has(name)) {
    issues.add('reserved_word', path, `"${name}" is inherited by every JavaScript object (Object.prototype): records with it would be refused or lose it at run time`);
    return false;
  }
  return true;
}

/** An enum value: Prisma needs an identifier; TypeScript sees only a string literal, so reserved words are fine. */
export function checkEnumValue(issues: Issues, value: string, path: Path): void {
  if (!TS_IDENTIFIER.test(value)) {
    issues.add('invalid_identifier', path, `"${value}" is not a valid enum value for Prisma (letters, digits and _, not starting with a digit)`);
  }
}

/** A name that becomes a PostgreSQL identifier. */
export function checkSqlName(issues: Issues, name: string, path: Path): boolean {
  if (!SQL_IDENTIFIER.test(name)) {
    issues.add('invalid_identifier', path, `"${name}" is not a valid SQL name (lower-case letters, digits and _, not starting with a digit)`);
    return false;
  }
  if (Buffer.byteLength(name) > limits.postgresMaxName) {
    issues.add('invalid_identifier', path, `"${name}" is longer than PostgreSQL's ${limits.postgresMaxName}-byte limit for names`);
    return false;
  }
  if (PG_RESERVED.has(name)) {
    issues.add('reserved_word', path, `"${name}" is a reserved word in PostgreSQL`);
    return false;
  }
  return true;
}

/** A name that becomes a Prisma model, type or enum. */
export function checkPrismaTypeName(issues: Issues, name: string, path: Path): boolean {
  if (!checkTsName(issues, name, path)) return false;
  if (PRISMA_RESERVED.has(name)) {
    issues.add('reserved_word', path, `"${name}" is reserved by Prisma`);
    return false;
  }
  return true;
}

/** A deterministic index name that fits PostgreSQL's limit. */
export function indexName(table: string, parts: string[], suffix: string): string {
  const name = [table, ...parts, suffix].join('_');
  if (name.length <= limits.postgresMaxName) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${name.slice(0, limits.postgresMaxName - hash.length - suffix.length - 2)}_${hash}_${suffix}`;
}


export function reportDuplicates(issues: Issues, names: Array<{ name: string; path: Path }>, what: string): void {
  const seen = new Map<string, Path>();
  for (const { name, path } of names) {
    const first = seen.get(name);
    if (first) issues.add('duplicate_name', path, `${what} "${name}" is already defined at ${first.join('.')}`);
    else seen.set(name, path);
  }
}

