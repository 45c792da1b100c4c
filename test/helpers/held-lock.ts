import type postgres from 'postgres';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `during` while `session` holds the lock `take` takes, in a transaction of its own: whatever needs it waits. */
export async function whileHeld(session: postgres.Sql, take: (tx: postgres.TransactionSql) => Promise<unknown>, during: () => Promise<void>): Promise<void> {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const holding = new Promise<void>((resolve) => (locked = resolve));
  const transaction = session.begin(async (tx) => {
    await take(tx);
    locked();
    await released;
  });
  await holding;
  try {
    await during();
  } finally {
    release();
    await transaction;
  }
}

/** How many queries of `session`'s database wait for a lock. */
export const lockWaits = async (session: postgres.Sql) =>
  (await session`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`)[0].n as number;

/** Waits (up to 4 s) until `n` queries of `session`'s database wait for a lock, and resolves to how many do. */
export async function untilLockWaits(session: postgres.Sql, n: number): Promise<number> {
  for (let tries = 0; (await lockWaits(session)) !== n && tries < 200; tries++) await pause(20);
  return lockWaits(session);
}
