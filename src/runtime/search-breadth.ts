/** HNSW's ef_search is at most 1000 in pgvector. */
const MAX_EF_SEARCH = 1_000;
/**
 * Measured on 10,000 uniform random 128-d vectors (m 16, ef_construction 64), three index builds each:
 * top-10 recall 0.943–0.967 at 200, 0.973–0.983 at 250, 1.000 at 300. HNSW builds are randomized, so 200
 * sometimes misses 0.95; 300 costs ~1.5× the time of 200 and holds the margin.
 */
const MIN_EF_SEARCH = 300;

/** The HNSW candidate list for a search of topK, on every backend. */
export const efSearch = (topK: number): number => Math.min(MAX_EF_SEARCH, Math.max(MIN_EF_SEARCH, 4 * topK));

/** IVFFlat lists to probe: √lists, the usual balance of recall and time. */
export const ivfProbes = (lists: number): number => Math.max(1, Math.ceil(Math.sqrt(lists)));
