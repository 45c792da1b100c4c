import type { PGlite } from '@electric-sql/pglite';
import type postgres from 'postgres';

/** Runs a query of `db.sql` once the facade is ready for it (migrated, when that is automatic; not closed). */
export type Gate = <R>(run: () => Promise<R>) => Promise<R>;

/**
 * The drivers under `db.sql`, with every query passing through the gate first. Drizzle's sessions call only
 * these methods (PGlite: query, exec, transaction; postgres.js: unsafe, begin); everything else is the driver's.
 */
export function gatedPglite(client: PGlite, gate: Gate): PGlite {
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      if (property === 'query' || property === 'exec' || property === 'transaction') return (...args: unknown[]) => gate(async () => method.apply(target, args));
      return method.bind(target);
    },
  });
}

export function gatedPostgres(client: postgres.Sql, gate: Gate): postgres.Sql {
  return new Proxy(client, {
    get(target, property) {
      if (property === 'begin') return (...args: unknown[]) => gate(async () => (target.begin as (...a: unknown[]) => unknown)(...args));
      // unsafe() returns a lazy query that Drizzle awaits or reads with .values(): both wait for the gate.
      if (property === 'unsafe') {
        return (...args: Parameters<postgres.Sql['unsafe']>) => ({
          values: () => gate(async () => target.unsafe(...args).values()),
          then: (resolve: (rows: unknown) => unknown, reject: (error: unknown) => unknown) => gate(async () => target.unsafe(...args)).then(resolve, reject),
        });
      }
      return Reflect.get(target, property, target);
    },
  });
}
