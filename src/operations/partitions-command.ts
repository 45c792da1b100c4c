/** `polystore partitions ensure`: monthly partitions kept ahead, on the server the flags or environment name. */
import { PolystoreError } from '../errors.js';
import { openConnection } from '../runtime/connection.js';
import { ensurePartitions } from './partitions.js';

export interface PartitionsFlags {
  postgres?: string;
  ahead: number;
  dryRun?: boolean;
}

export async function runEnsurePartitions(flags: PartitionsFlags): Promise<void> {
  if (!flags.postgres) throw new PolystoreError('INVALID_INPUT', 'partitions ensure needs --postgres <url> (or POLYSTORE_POSTGRES_URL)');
  const connection = openConnection({}, { postgres: flags.postgres }, (query) => query());
  try {
    const created = await ensurePartitions(connection, { ahead: flags.ahead, dryRun: flags.dryRun });
    const verb = flags.dryRun ? 'would create' : 'created';
    for (const entry of created) console.log(`${verb} ${entry.partition} of ${entry.table} [${entry.from}, ${entry.to})${flags.dryRun ? '' : `, ${entry.movedRows} rows moved out of DEFAULT`}`);
    console.log(`polystore: ${created.length === 0 ? 'every partitioned table has its partitions' : `${verb} ${created.length} partition(s)`} through ${flags.ahead} month(s) ahead.`);
  } finally {
    await connection.close();
  }
}
