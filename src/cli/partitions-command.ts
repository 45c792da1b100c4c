/** `polystore partitions ensure`: monthly partitions kept ahead, on the server the flags or environment name. */
import { type ConnectionFlags, resolveConnections } from './project.js';
import { PolystoreError } from '../errors.js';
import { ensurePartitions } from '../operations/partitions.js';
import { openConnection } from '../runtime/postgres/open-connection.js';

export interface PartitionsFlags extends ConnectionFlags {
  ahead: number;
  retain?: number;
  drop?: boolean;
  dryRun?: boolean;
}

export async function runEnsurePartitions(flags: PartitionsFlags): Promise<void> {
  const { postgres } = await resolveConnections(flags);
  if (!postgres) throw new PolystoreError('INVALID_INPUT', 'partitions ensure needs --postgres <url> (or POLYSTORE_POSTGRES_URL, or connections.postgres in polystore.config.ts)');
  const connection = openConnection({}, { postgres }, (query) => query());
  try {
    const { created, retired } = await ensurePartitions(connection, { ahead: flags.ahead, retain: flags.retain, drop: flags.drop, dryRun: flags.dryRun });
    const done = { create: 'created', detach: 'detached', drop: 'dropped' } as const;
    const would = (verb: keyof typeof done) => (flags.dryRun ? `would ${verb}` : done[verb]);
    for (const entry of created) console.log(`${would('create')} ${entry.partition} of ${entry.table} [${entry.from}, ${entry.to})${flags.dryRun ? '' : `, ${entry.movedRows} rows moved out of DEFAULT`}`);
    for (const entry of retired) console.log(`${would(entry.action === 'dropped' ? 'drop' : 'detach')} ${entry.partition} of ${entry.table} (ends ${entry.to}), ${entry.rows} rows`);
    console.log(
      `polystore: ${created.length === 0 ? 'every partitioned table has its partitions' : `${would('create')} ${created.length} partition(s)`} through ${flags.ahead} month(s) ahead` +
        (flags.retain === undefined ? '.' : `; ${retired.length === 0 ? 'no partition' : `${would(flags.drop ? 'drop' : 'detach')} ${retired.length} partition(s)`} older than ${flags.retain} month(s).`),
    );
  } finally {
    await connection.close();
  }
}
