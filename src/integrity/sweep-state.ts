/**
 * A sweep's progress and lease, in MongoDB's `polystore_integrity` collection (two documents a linked collection):
 * a sweep killed midway resumes after its last batch, and one sweep of a collection runs at a time. The lease is
 * taken by inserting its document (the unique `_id` decides between two takers: FerretDB's conditional updates are
 * no atomic test-and-set) and let go by deleting it. One not renewed for LEASE_MS is free again; so at once is one
 * whose holder ran on this host and has exited.
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

interface ProgressDocument extends SweepProgress {
  _id: string;
  finishedAt?: Date;
}

interface LeaseDocument {
  _id: string;
  holder: { host: string; pid: number; token: string };
  leaseUntil: Date;
}

export interface SweepLease {
  /** The progress of an unfinished sweep to resume, if any. */
  resumed: SweepProgress | undefined;
  /** Saves progress and renews the lease; throws if another sweep took it over. */
  save(progress: SweepProgress): Promise<void>;
  /** Saves the sweep as finished and lets the lease go. */
  finish(progress: SweepProgress): Promise<void>;
  /** Lets the lease go, progress kept (an interrupted sweep). */
  release(): Promise<void>;
}

/** The holder of a live lease, when it is a process of this host that has exited. */
const exitedHere = (holder: LeaseDocument['holder']) => {
  if (holder.host !== hostname()) return false;
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
};

const duplicate = (error: unknown) => (error as { cause?: { code?: number } }).cause?.code === DUPLICATE_KEY;

/**
 * Takes the collection's sweep lease, waiting while another live sweep holds it (`onWait` told once whose). `signal`
 * ends the wait with its reason.
 */
export async function takeSweepLease(db: Db, collection: string, signal: AbortSignal | undefined, onWait: (holder: string) => void): Promise<SweepLease> {
  const progresses: Collection<ProgressDocument> = db.collection(STATE_COLLECTION);
  const leases: Collection<LeaseDocument> = db.collection(STATE_COLLECTION);
  const id = `sweep:${collection}`;
  const leaseId = `lease:${collection}`;
  const holder = { host: hostname(), pid: process.pid, token: randomUUID() };
  const operation = `integrity sweep of "${collection}"`;
  const leaseUntil = () => new Date(Date.now() + LEASE_MS);
  for (let told = false; ; ) {
    signal?.throwIfAborted();
    const taken = await onMongo(operation, () => leases.insertOne({ _id: leaseId, holder, leaseUntil: leaseUntil() })).then(
      () => true,
      (error: unknown) => (duplicate(error) ? false : Promise.reject(error)),
    );
    if (taken) {
      const current = await onMongo(operation, () => progresses.findOne({ _id: id }));
      const resumed = current && !current.finishedAt && current.cutoff ? { cursor: current.cursor ?? undefined, cutoff: current.cutoff, scanned: current.scanned ?? 0, deleted: current.deleted ?? 0, kept: current.kept ?? 0, orphans: current.orphans ?? 0, reasons: current.reasons ?? {}, startedAt: current.startedAt } : undefined;
      return lease(resumed);
    }
    const current = await onMongo(operation, () => leases.findOne({ _id: leaseId }));
    // Gone meanwhile: taken again at once. Expired, or its holder dead: let go for it, then taken again.
    if (!current) continue;
    if (current.leaseUntil < new Date() || exitedHere(current.holder)) {
      await onMongo(operation, () => leases.deleteOne({ _id: leaseId, 'holder.token': current.holder.token }));
      continue;
    }
    if (!told) onWait(`pid ${current.holder.pid} on ${current.holder.host}`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }

  function lease(resumed: SweepProgress | undefined): SweepLease {
    const mine = { _id: leaseId, 'holder.token': holder.token };
    const renew = async () => {
      const result = await onMongo(operation, () => leases.updateOne(mine, { $set: { leaseUntil: leaseUntil() } }));
      if (result.matchedCount === 0) throw new PolystoreError('INTEGRITY_SWEEP_TAKEN_OVER', `${operation}: another sweep took the lease over (this one had not saved its progress for ${LEASE_MS / 1000} s); it resumes from the last batch saved`);
    };
    const write = (set: Partial<ProgressDocument>, unset: Record<string, ''>) => {
      const given = Object.fromEntries(Object.entries(set).filter(([, value]) => value !== undefined));
      return onMongo(operation, () => progresses.updateOne({ _id: id }, { $set: given, $unset: unset }, { upsert: true }));
    };
    const release = async () => void (await onMongo(operation, () => leases.deleteOne(mine)));
    return {
      resumed,
      async save(progress) {
        await renew();
        await write({ ...progress }, { finishedAt: '' });
      },
      async finish(progress) {
        await renew();
        await write({ ...progress, cursor: undefined, finishedAt: new Date() }, { cursor: '' });
        await release();
      },
      release,
    };
  }
}
