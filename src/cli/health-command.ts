/**
 * `polystore health`: the stores the flags or environment name, probed as `db.health()` does; exit 0 only when all
 * are up. A container probe: it exits within its timeout and a small margin, whatever the servers do.
 */
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import { type ConnectionFlags, resolveConnections } from './project.js';
import { PolystoreError } from '../errors.js';
import { checkHealth, milvusProbe, postgresProbe } from '../operations/health.js';
import { openMilvus } from '../runtime/milvus/open-milvus.js';
import { openConnection } from '../runtime/postgres/open-connection.js';

/** How long closing the connections may take once the report is printed. */
const CLOSE_MS = 500;

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
  const milvus = stores.milvus ? openMilvus({ ...stores.milvus, attempts: 1, timeoutMs: flags.timeout }) : undefined;
  // Loading the Milvus SDK (gRPC, its protocol files) and making its client take the event loop for a while: not
  // inside the probes' clocks. Without the SDK, the Milvus probe says so.
  await milvus?.prepare().catch(() => undefined);
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
    // A connection still waiting on a server that never answers, or gRPC's channel, would hold the process for the
    // driver's connect timeout (10 s) or longer: once the report is out, the probe leaves them behind.
    const closed = await Promise.race([Promise.all([connection?.close(), milvus?.close()]).then(() => true), setTimeout(CLOSE_MS, false, { ref: false })]);
    if (!closed) process.exit();
  }
}
