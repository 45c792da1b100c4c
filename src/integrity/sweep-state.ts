/**
 * A sweep's progress and lease, in MongoDB's `polystore_integrity` collection (two documents a linked collection):
 * a sweep killed midway resumes after its last batch, and one sweep of a collection runs at a time. The lease is
 * taken by inserting its document (the unique `_id` decides between two takers: FerretDB's conditional updates are
 * no atomic test-and-set) and let go by deleting it. One not renewed for LEASE_MS is free again; so at once is one
 * whose holder ran on this host and has exited, or is this process and let go of it.
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
  /** The window of the sweep's call: a call with another window starts afresh rather than resume this one. */
  since?: Date | undefined;
  until?: Date | undefined;
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

/** The tokens of the leases this process holds now: one of its pid with another token is a leftover of its own. */
const heldHere = new Set<string>();

/**
 * A live lease's holder that is gone: a process of this host (by name: hosts that share one share a pid space)
 * that has exited, or this process, whose sweep let go of it without its delete arriving.
 */
const goneHere = (holder: LeaseDocument['holder']) => {
  if (holder.host !== hostname()) return false;
  if (holder.pid === process.pid) return !heldHere.has(holder.token);
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
    const inserted = await onMongo(operation, () => leases.insertOne({ _id: leaseId, holder, leaseUntil: leaseUntil() })).then(
      () => true,
      async (error: unknown) => {
        if (duplicate(error)) return false;
        // Its answer lost, the insert may have landed all the same: not left behind to hold up the next sweep.
        await leases.deleteOne({ _id: leaseId, 'holder.token': holder.token }).catch(() => undefined);
        throw error;
      },
    );
    const current = inserted ? undefined : await onMongo(operation, () => leases.findOne({ _id: leaseId }));
    // Ours already (a retried insert whose first try landed), or just taken.
    if (inserted || current?.holder.token === holder.token) {
      heldHere.add(holder.token);
      const saved = await onMongo(operation, () => progresses.findOne({ _id: id })).catch((error: unknown) => {
        heldHere.delete(holder.token);
        return Promise.reject(error);
      });
      const resumed = saved && !saved.finishedAt && saved.cutoff ? { cursor: saved.cursor ?? undefined, cutoff: saved.cutoff, since: saved.since ?? undefined, until: saved.until ?? undefined, scanned: saved.scanned ?? 0, deleted: saved.deleted ?? 0, kept: saved.kept ?? 0, orphans: saved.orphans ?? 0, reasons: saved.reasons ?? {}, startedAt: saved.startedAt } : undefined;
      return lease(resumed);
    }
    // Gone meanwhile: taken again at once. Expired, or its holder gone: let go for it (unless renewed since), then taken.
    if (!current) continue;
    if (current.leaseUntil < new Date() || goneHere(current.holder)) {
      await onMongo(operation, () => leases.deleteOne({ _id: leaseId, 'holder.token': current.holder.token, leaseUntil: current.leaseUntil }));
      continue;
    }
    // Only a wait is given up on: a lease that is free is taken whatever the signal.
    signal?.throwIfAborted();
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
    /** The progress saved whole: a field it has not (a fresh sweep's window, a finished one's cursor) removed. */
    const write = (set: Partial<ProgressDocument>) => {
      const fields = Object.entries(set);
      const given = Object.fromEntries(fields.filter(([, value]) => value !== undefined));
      const absent = Object.fromEntries(fields.filter(([, value]) => value === undefined).map(([key]) => [key, '' as const]));
      return onMongo(operation, () => progresses.updateOne({ _id: id }, { $set: given, ...(Object.keys(absent).length > 0 ? { $unset: absent } : {}) }, { upsert: true }));
    };
    // Once let go (or tried to), a lease of this token left in MongoDB is a leftover to any sweep of this process.
    const release = async () => {
      heldHere.delete(holder.token);
      await onMongo(operation, () => leases.deleteOne(mine));
    };
    return {
      resumed,
      async save(progress) {
        await renew();
        await write({ since: undefined, until: undefined, cursor: undefined, ...progress, finishedAt: undefined });
      },
      async finish(progress) {
        await renew();
        await write({ since: undefined, until: undefined, ...progress, cursor: undefined, finishedAt: new Date() });
        await release();
      },
      release,
    };
  }
}
