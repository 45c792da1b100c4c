import type { NotesRecord } from '../fixtures/runtime/generated/index.js';

/** A seeded generator, so that failures reproduce. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomVector(next: () => number, dimension: number): number[] {
  return Array.from({ length: dimension }, () => next() * 2 - 1);
}

export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return dot / Math.sqrt(na * nb);
}

/** A record of the runtime fixture's multi-tenant `notes` collection, as written through a tenant's store. */
export const note = (id: string, extra: Partial<NotesRecord> = {}): Omit<NotesRecord, 'tenantId'> => ({
  id,
  title: id,
  rank: 1,
  published: true,
  kind: 'memo',
  createdAt: new Date(0),
  embedding: [1, 0, 0, 0, 0, 0, 0, 1],
  ...extra,
});
