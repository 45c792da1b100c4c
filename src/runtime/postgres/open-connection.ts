import type { Connection } from './connection.js';
import type { Gate } from './gated-client.js';
import { pgliteConnection } from './pglite-connection.js';
import { serverConnection } from './server-connection.js';
import type { ConnectionOptions } from '../contract/options.js';

/**
 * The PostgreSQL of `options`: a server when `postgres` is given, else the embedded PGlite. `gate` runs each query
 * of the public `db.sql`; polystore's own statements and migrations go straight to the driver.
 */
export function openConnection<S extends Record<string, unknown>>(schema: S, options: ConnectionOptions, gate: Gate): Connection<S> {
  if (options.postgres === undefined) return pgliteConnection(schema, options, gate);
  return serverConnection(schema, typeof options.postgres === 'string' ? { url: options.postgres } : options.postgres, options, gate);
}
