import type { PGlite } from '@electric-sql/pglite';
import type postgres from 'postgres';
import { unpipelined } from './unpipelined.js';

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

/** `alone`: each query outside a transaction on a connection of its own (see unpipelined). */
export function gatedPostgres(client: postgres.Sql, gate: Gate, alone = false): postgres.Sql {
  const send = <R>(query: (sql: postgres.Sql) => Promise<R>) => gate(() => (alone ? unpipelined(client, query) : query(client)));
  return new Proxy(client, {
    get(target, property) {
      if (property === 'begin') return (...args: unknown[]) => gate(async () => (target.begin as (...a: unknown[]) => unknown)(...args));
      // unsafe() returns a lazy query that Drizzle awaits or reads with .values(): both wait for the gate.
      if (property === 'unsafe') {
        return (...args: Parameters<postgres.Sql['unsafe']>) => ({
          values: () => send((sql) => sql.unsafe(...args).values()),
          then: (resolve: (rows: unknown) => unknown, reject: (error: unknown) => unknown) => send(async (sql) => sql.unsafe(...args)).then(resolve, reject),
        });
      }
      return Reflect.get(target, property, target);
    },
  });
}
