/**
 * Cache keys: what a read asked, hashed, so that keys stay short whatever the filter, and one tenant's or one
 * collection's entry can never answer another's call (both are inside the hash and the generation key).
 * Shared by the vector stores' cache and the Prisma extension for documents.
 */
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted and `undefined` left out (absent, as everywhere in polystore's inputs), Dates as
 * tagged ISO strings. Throws on a cycle: such input is no query, and goes to the store to be refused there.
 */
export function stableText(value: unknown): string {
  if (value instanceof Date) return JSON.stringify({ $date: value.toISOString() });
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : stableText(item))).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableText(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const digest = (text: string) => createHash('sha256').update(text).digest('base64url');

/** Where a collection's (or one tenant's of it) generation lives: every write replaces it, every key includes it. */
export function generationKey(namespace: string, collection: string, tenant?: string): string {
  return `${namespace}:gen:${digest(stableText([collection, tenant ?? null]))}`;
}

export interface CacheScope {
  collection: string;
  /** The tenant of a `forTenant` store. */
  tenant?: string | undefined;
}

/** The generation keys a scope's entries are read under: the collection's, and the tenant's within it. */
export const scopeGenerationKeys = (namespace: string, scope: CacheScope): string[] =>
  scope.tenant === undefined ? [generationKey(namespace, scope.collection)] : [generationKey(namespace, scope.collection), generationKey(namespace, scope.collection, scope.tenant)];

/** An entry's key: the read (operation and its arguments as stable text), scoped. Its value says the generations it was read under. */
export function entryKey(namespace: string, scope: CacheScope, operation: string, argsText: string): string {
  return `${namespace}:entry:${digest(stableText([scope.collection, scope.tenant ?? null, operation]) + argsText)}`;
}
