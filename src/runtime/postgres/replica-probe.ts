import type { Connection } from './connection.js';
import { PolystoreError } from '../../errors.js';

/**
 * db.health()'s probes of `postgres.replicas`, as `postgres-replica-<index>`. One that does not answer is down, its
 * error naming the option; one that is no standby (promoted, or the wrong URL) or whose replay is paused is
 * degraded. `replayLagSeconds` is how old the last replayed transaction is, 0 when the standby has replayed all
 * it received (so that an idle primary does not read as lag); `replayPendingBytes` is the WAL received, not replayed.
 * After a standby's restart its receive position starts again at the beginning of a WAL segment, behind what it
 * has replayed: that is nothing pending, not a negative amount.
 */
export function replicaProbes(replicas: ReadonlyArray<Pick<Connection<never>, 'execute'>>) {
  return Object.fromEntries(replicas.map((replica, index) => [`postgres-replica-${index}`, () => probe(replica, `postgres.replicas.${index}`)]));
}

const STANDBY_STATE = `select pg_is_in_recovery(),
  case when pg_is_in_recovery() then pg_get_wal_replay_pause_state() end,
  case when pg_last_wal_receive_lsn() <= pg_last_wal_replay_lsn() then 0 else extract(epoch from now() - pg_last_xact_replay_timestamp())::float8 end,
  greatest(pg_wal_lsn_diff(pg_last_wal_receive_lsn(), pg_last_wal_replay_lsn()), 0)::float8`;

async function probe(replica: Pick<Connection<never>, 'execute'>, option: string) {
  const [[[standby, pause, lag, pending]]] = await replica.execute([{ sql: STANDBY_STATE, params: [] }]).catch((error: unknown) => {
    throw new PolystoreError('REPLICA_UNAVAILABLE', `${option}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  });
  const degraded = !standby ? `${option} is not a standby (pg_is_in_recovery() is false): reads sent to it may not follow postgres.url` : pause === 'not paused' ? undefined : `${option}: WAL replay is ${pause}`;
  return { degraded, details: { inRecovery: standby, replayLagSeconds: lag, replayPendingBytes: pending } };
}
