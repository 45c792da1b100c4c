import type { HybridSearchQuery } from '../contract/vector-store.js';

/** HNSW's ef_search is at most 1000 in pgvector. */
const MAX_EF_SEARCH = 1_000;
/**
 * Measured on 10,000 uniform random 128-d vectors (m 16, ef_construction 64), three index builds each:
 * top-10 recall 0.943–0.967 at 200 and 0.973–0.983 at 250 (HNSW builds are randomized: 200 once missed 0.95).
 * Much higher costs more than it gives: on that table PostgreSQL's planner turns to a sequential scan from
 * about 290, where pgvector's cost estimate for the index overtakes reading every row.
 */
const MIN_EF_SEARCH = 250;

/** The HNSW candidate list for a search of topK, on every backend. */
export const efSearch = (topK: number): number => Math.min(MAX_EF_SEARCH, Math.max(MIN_EF_SEARCH, 4 * topK));

/** IVFFlat lists to probe: √lists, the usual balance of recall and time. */
export const ivfProbes = (lists: number): number => Math.max(1, Math.ceil(Math.sqrt(lists)));

/** Reciprocal rank fusion's k: the constant of its paper (Cormack et al., 2009), FastGPT's too. */
const RRF_K = 60;
/** The most hits each side of a hybrid search ranks before the fusion. */
export const MAX_CANDIDATES = 1_000;

/**
 * How many hits each side of a hybrid search ranks: 4 × topK, at least 40, so that a hit ranked well by one side
 * only still reaches the fusion.
 */
export const hybridCandidates = (topK: number): number => Math.min(MAX_CANDIDATES, Math.max(40, 4 * topK));

/** What a hybrid search runs with, on every backend: its candidate depth and fusion, defaults filled in. */
export interface HybridSettings {
  candidates: number;
  k: number;
  weights: { vector: number; text: number };
}

export const hybridSettings = (query: Pick<HybridSearchQuery<unknown>, 'topK' | 'candidates' | 'fusion'>): HybridSettings => ({
  candidates: query.candidates ?? hybridCandidates(query.topK),
  k: query.fusion?.k ?? RRF_K,
  weights: { vector: query.fusion?.weights?.vector ?? 1, text: query.fusion?.weights?.text ?? 1 },
});
