/**
 * Cache keys: what a read asked, hashed, so that keys stay short whatever the filter, and one tenant's or one
 * collection's entry can never answer another's call (both are inside the hash and the generation key).
 * Shared by the vector stores' cache and the Prisma extension for documents.
 */
import { createHash } from 'node:crypto';
import { isPlainObject } from '../runtime/checks/validate.js';

/** Input the cache does not key: the store gets it as it is, and refuses or answers it uncached. */
export class Uncacheable extends Error {}

/**
 * A read's arguments as text, the same for the same question and different for any other: object keys sorted,
 * `undefined` left out (absent, as everywhere in polystore's inputs), Dates and non-finite numbers in forms no
 * JSON value takes (`D"…"`, `NNaN`), so that no other input reads the same. Functions, symbols, BigInts, cycles and
 * objects other than plain ones and Dates throw Uncacheable.
 */
export function stableText(value: unknown, seen: object[] = []): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : `N${value}`;
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value !== 'object') throw new Uncacheable(`a ${typeof value}`);
  if (value instanceof Date) return `D${JSON.stringify(Number.isNaN(value.getTime()) ? 'invalid' : value.toISOString())}`;
  if (seen.includes(value)) throw new Uncacheable('a cycle');
  const inner = [...seen, value];
  if (Array.isArray(value)) return `[${Array.from(value, (item) => (item === undefined ? 'U' : stableText(item, inner))).join(',')}]`;
  if (!isPlainObject(value)) throw new Uncacheable('an object that is not plain');
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableText(item, inner)}`).join(',')}}`;
}

export const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/**
 * Where a generation lives: the whole cache's (no collection: `clear()`), a collection's or document model's, or
 * one tenant's of a collection. Every write replaces its scope's; every entry is read under all that cover it.
 */
export function generationKey(namespace: string, collection?: string, tenant?: string): string {
  return `${namespace}:gen:${digest(stableText([collection ?? null, tenant ?? null]))}`;
}

export interface CacheScope {
  collection: string;
  /** The tenant of a `forTenant` store. */
  tenant?: string | undefined;
}

/** The generation keys a scope's entries are read under: the whole cache's, the collection's, and the tenant's within it. */
export const scopeGenerationKeys = (namespace: string, scope: CacheScope): string[] => [
  generationKey(namespace),
  generationKey(namespace, scope.collection),
  ...(scope.tenant === undefined ? [] : [generationKey(namespace, scope.collection, scope.tenant)]),
];

/** An entry's key: the read (operation and its arguments as stable text), scoped. Its value says the generations it was read under. */
export function entryKey(namespace: string, scope: CacheScope, operation: string, argsText: string): string {
  return `${namespace}:entry:${digest(stableText([scope.collection, scope.tenant ?? null, operation]) + argsText)}`;
}
