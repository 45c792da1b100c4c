import type { Statement } from '../connection.js';
import type { VectorCollectionDescriptor } from '../vector-store.js';

/** pgvector's hnsw.ef_search is at most 1000. */
const MAX_EF_SEARCH = 1_000;
/**
 * Measured on 10,000 uniform random 128-d vectors (m 16, ef_construction 64), three index builds each:
 * top-10 recall 0.943–0.967 at 200, 0.973–0.983 at 250, 1.000 at 300. HNSW builds are randomized, so 200
 * sometimes misses 0.95; 300 costs ~1.5× the time of 200 and holds the margin.
 */
const MIN_EF_SEARCH = 300;

/**
 * Per-search index settings, local to the search's transaction: a candidate
 * list sized from topK, and pgvector 0.8's iterative scans, which keep
 * scanning the index while a filter leaves fewer than topK rows.
 * Undefined for exact (flat) search, which needs none.
 */
export function searchSettings(descriptor: VectorCollectionDescriptor, topK: number): Statement | undefined {
  if (descriptor.indexType === 'hnsw') {
    const ef = Math.min(MAX_EF_SEARCH, Math.max(MIN_EF_SEARCH, 4 * topK));
    return { sql: "SELECT set_config('hnsw.ef_search', $1, true), set_config('hnsw.iterative_scan', 'relaxed_order', true)", params: [String(ef)] };
  }
  if (descriptor.indexType === 'ivfflat') {
    const lists = descriptor.indexParams.lists;
    const probes = Math.max(1, Math.ceil(Math.sqrt(lists)));
    return {
      sql: "SELECT set_config('ivfflat.probes', $1, true), set_config('ivfflat.iterative_scan', 'relaxed_order', true), set_config('ivfflat.max_probes', $2, true)",
      params: [String(probes), String(lists)],
    };
  }
  return undefined;
}
