/** `polystore health`: the stores the flags or environment name, probed as `db.health()` does; exit 0 only when all are up. */
import { join } from 'node:path';
import { PolystoreError } from '../errors.js';
import { openConnection } from '../runtime/connection.js';
import { openMilvus } from '../runtime/milvus/milvus-connection.js';
import { checkHealth, milvusProbe, postgresProbe } from './health.js';
import { type ConnectionFlags, resolveConnections } from './project.js';

export interface HealthFlags extends ConnectionFlags {
  timeout: number;
  json?: boolean;
}

export async function runHealth(flags: HealthFlags): Promise<void> {
  const stores = await resolveConnections(flags);
  if (!stores.postgres && !stores.milvus) {
    throw new PolystoreError('INVALID_INPUT', 'health needs --postgres <url> and/or --milvus <address> (or POLYSTORE_POSTGRES_URL, POLYSTORE_MILVUS_ADDRESS, or connections in polystore.config.ts)');
  }
  const connection = stores.postgres ? openConnection({}, { postgres: stores.postgres }, (query) => query()) : undefined;
  const milvus = stores.milvus ? openMilvus({ ...stores.milvus, attempts: 1 }) : undefined;
  try {
    const report = await checkHealth(
      {
        ...(connection ? { postgres: postgresProbe(connection, join(stores.out, 'drizzle')) } : {}),
        ...(milvus ? { milvus: milvusProbe(milvus) } : {}),
      },
      { timeoutMs: flags.timeout },
    );
    if (flags.json) console.log(JSON.stringify(report, null, 2));
    else for (const [name, store] of Object.entries(report.stores)) console.log(`${name}: ${store.status} (${store.latencyMs} ms)${store.error ? `: ${store.error}` : ''} ${JSON.stringify(store.details)}`);
    if (report.status !== 'up') process.exitCode = 1;
  } finally {
    await Promise.all([connection?.close(), milvus?.close()]);
  }
}
