/**
 * A sweep's progress and lease, in MongoDB's `polystore_integrity` collection (one document a linked collection):
 * a sweep killed midway resumes after its last batch, and one sweep of a collection runs at a time. A lease not
 * renewed for LEASE_MS is free again; so at once is one whose holder ran on this host and has exited.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Collection, Db } from 'mongodb';
import { PolystoreError } from '../errors.js';
import { onMongo } from '../runtime/mongodb/mongo-connection.js';

export const STATE_COLLECTION = 'polystore_integrity';
const LEASE_MS = 30_000;
const DUPLICATE_KEY = 11_000;

export interface SweepProgress {
  /** The last key swept, in the backend's key order. */
  cursor?: string | undefined;
  /** Orphans last written before this are deleted: fixed for the whole sweep, resumed runs too. */
  cutoff: Date;
  scanned: number;
  deleted: number;
  kept: number;
  orphans: number;
  reasons: Record<string, number>;
  startedAt: Date;
}

interface StateDocument extends SweepProgress {
  _id: string;
  holder: { host: string; pid: number; token: string };
  leaseUntil: Date;
  finishedAt?: Date;
}

export interface SweepLease {
  /** The progress of an unfinished sweep to resume, if any. */
  resumed: SweepProgress | undefined;
  /** Saves progress and renews the lease; throws if another sweep took it over. */
  save(progress: SweepProgress): Promise<void>;
  finish(progress: SweepProgress): Promise<void>;
  /** Lets the lease go, progress kept (an interrupted sweep). */
  release(): Promise<void>;
}

/** The holder of a live lease, when it is a process of this host that has exited. */
const exitedHere = (holder: StateDocument['holder'] | undefined) => {
  if (!holder || holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
};

/** Takes the collection's sweep lease, waiting while another live sweep holds it (`onWait` says whose). */
export async function takeSweepLease(db: Db, collection: string, signal: AbortSignal | undefined, onWait: (holder: string) => void): Promise<SweepLease> {
  const states: Collection<StateDocument> = db.collection(STATE_COLLECTION);
  const id = `sweep:${collection}`;
  const holder = { host: hostname(), pid: process.pid, token: randomUUID() };
  const operation = `integrity sweep of "${collection}"`;
  for (let waited = false; ; waited = true) {
    signal?.throwIfAborted();
    const now = new Date();
    const current = await onMongo(operation, () => states.findOne({ _id: id }));
    const free = !current || current.leaseUntil < now || exitedHere(current.holder);
    if (free) {
      const taken = await onMongo(operation, () =>
        states.updateOne(current ? { _id: id, 'holder.token': current.holder.token } : { _id: id }, { $set: { holder, leaseUntil: new Date(now.getTime() + LEASE_MS) } }, { upsert: !current }),
      ).catch((error: unknown) => {
        if ((error as { cause?: { code?: number } }).cause?.code === DUPLICATE_KEY) return { matchedCount: 0, upsertedCount: 0 };
        throw error;
      });
      if (taken.matchedCount + taken.upsertedCount === 1) {
        const resumed = current && !current.finishedAt && current.cutoff ? { cursor: current.cursor ?? undefined, cutoff: current.cutoff, scanned: current.scanned ?? 0, deleted: current.deleted ?? 0, kept: current.kept ?? 0, orphans: current.orphans ?? 0, reasons: current.reasons ?? {}, startedAt: current.startedAt } : undefined;
        return lease(resumed);
      }
    } else if (!waited) onWait(`pid ${current.holder.pid} on ${current.holder.host}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  function lease(resumed: SweepProgress | undefined): SweepLease {
    const mine = { _id: id, 'holder.token': holder.token };
    const update = async (set: Partial<StateDocument>, unset: Record<string, ''> = {}) => {
      const result = await onMongo(operation, () => states.updateOne(mine, { $set: set, ...(Object.keys(unset).length > 0 ? { $unset: unset } : {}) }));
      if (result.matchedCount === 0) throw new PolystoreError('INTEGRITY_SWEEP_TAKEN_OVER', `${operation}: another sweep took the lease over (this one paused past ${LEASE_MS / 1000} s); it resumes from the last batch saved`);
    };
    return {
      resumed,
      save: (progress) => update({ ...progress, leaseUntil: new Date(Date.now() + LEASE_MS) }, { finishedAt: '' }),
      finish: (progress) => update({ ...progress, cursor: undefined, finishedAt: new Date(), leaseUntil: new Date(0) }),
      release: () => update({ leaseUntil: new Date(0) }),
    };
  }
}
