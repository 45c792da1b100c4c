import type { SearchHit } from '../contract/vector-store.js';

/** Hits best first, without those under `minScore`: the end of every backend's search. */
export function bestFirst<T>(hits: Array<SearchHit<T>>, minScore: number | undefined): Array<SearchHit<T>> {
  // Iterative index scans and merged segments may return near-ties slightly out of order.
  hits.sort((a, b) => b.score - a.score);
  return minScore === undefined ? hits : hits.filter((hit) => hit.score >= minScore);
}
