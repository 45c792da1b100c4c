/**
 * Reciprocal rank fusion of a vector ranking and a keyword ranking, for backends that cannot fuse where they
 * search (pgvector fuses in its SQL). Each hit's score is Σ weight / (k + rank) over the sides that found it.
 */
import type { HybridSettings } from './search-breadth.js';
import type { SearchHit } from '../contract/vector-store.js';

type Side = 'vector' | 'text';

/** A side's hits in rank order: best score first, ties by id, as pgvector ranks them. */
export function ranked<T>(hits: Array<SearchHit<T>>): Array<SearchHit<T>> {
  return hits.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The `topK` best fused hits, best first (ties by id), each with the rank (from 1) and score every side that
 * found it gave it. `sides` are in rank order (see `ranked`).
 */
export function fuseRanks<T>(sides: Record<Side, Array<SearchHit<T>>>, topK: number, { k, weights }: Pick<HybridSettings, 'k' | 'weights'>): Array<SearchHit<T>> {
  const fused = new Map<string, SearchHit<T> & { ranks: NonNullable<SearchHit<T>['ranks']> }>();
  for (const side of ['vector', 'text'] as const) {
    const weight = weights[side];
    sides[side].forEach(({ id, score, record }, i) => {
      const hit = fused.get(id) ?? { id, score: 0, record, ranks: {} };
      hit.score += weight / (k + i + 1);
      hit.ranks[side] = { rank: i + 1, score };
      fused.set(id, hit);
    });
  }
  // A hit only a side of weight 0 found has no score: it is not a result.
  return ranked([...fused.values()].filter((hit) => hit.score > 0)).slice(0, topK);
}
